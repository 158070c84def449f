"""Autocomplete in place of the selects that grow with the district (issue 19.3): the
projects' and enterprises' JSON endpoints answer at most 20 of what the user may see; a
project or enterprise field is drawn with its chosen option only (whatever the district's
size) and still validates the posted id against its own queryset."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.approvals.forms import WorklistFilterForm
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.views_helpers import AUTOCOMPLETE_LIMIT
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects.models import Project
from zhaoshang.testing.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _ids(client, route: str, q: str = "") -> list[int]:
    response = client.get(reverse(route), {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [row["id"] for row in response.json()["results"]]


def _more_projects(world, n: int) -> None:
    base = world.project2_a
    Project.objects.bulk_create(
        Project(
            district=base.district,
            code=f"AC-{i:04d}",
            name=f"测试项目{i}",
            name_initials=f"csxm{i}",
            name_pinyin=f"ceshixiangmu{i}",
            enterprise=base.enterprise,
            industry=base.industry,
            park=base.park,
            level=base.level,
            stage=base.stage,
            total_investment=base.total_investment,
        )
        for i in range(n)
    )


def test_projects_answered_are_those_the_user_sees_at_most_twenty(world, client_for):
    _more_projects(world, 30)
    bureau = client_for("bureau")
    every = _ids(bureau, "projects:autocomplete")
    assert len(every) == AUTOCOMPLETE_LIMIT
    assert world.project1_b.pk not in every  # another district's
    assert _ids(bureau, "projects:autocomplete", "华鑫") == [world.project1_a.pk]
    assert _ids(bureau, "projects:autocomplete", "ZS-2025-0002") == [world.project2_a.pk]
    assert _ids(bureau, "projects:autocomplete", "csxm12") == [
        Project.objects.get(code="AC-0012").pk
    ]
    row = bureau.get(reverse("projects:autocomplete"), {"q": "华鑫"}).json()["results"][0]
    assert row == {"id": world.project1_a.pk, "label": "ZS-2025-0001 华鑫新能源电池项目"}
    assert _ids(client_for("bureau_b"), "projects:autocomplete", "华鑫") == [world.project1_b.pk]
    # A park committee: its park's projects only (project2_a is in another park).
    assert _ids(client_for("park"), "projects:autocomplete", "ZS-2025-000") == [world.project1_a.pk]


def test_enterprises_answered_are_those_the_user_sees(world, client_for):
    for i in range(25):
        EnterpriseFactory(district=world.district_a, name=f"自动补全企业{i}")
    bureau = client_for("bureau")
    assert len(_ids(bureau, "enterprises:autocomplete", "自动补全")) == AUTOCOMPLETE_LIMIT
    found = _ids(bureau, "enterprises:autocomplete", world.enterprise1_a.name)
    assert world.enterprise1_a.pk in found
    assert world.enterprise1_b.pk not in found
    # The staff's pages are not the portal's.
    assert client_for("enterprise").get(reverse("enterprises:autocomplete")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    for route in ("projects:autocomplete", "enterprises:autocomplete"):
        assert client.get(reverse(route)).status_code == 302


def test_the_worklist_draws_the_chosen_project_only_and_validates_the_id(world, client_for):
    _more_projects(world, 40)
    bureau = client_for("bureau")
    html = bureau.get(reverse("approvals:worklist")).content.decode()
    select = re.search(r'<select name="project"[^>]*>(.*?)</select>', html, re.S)
    assert 'data-zs-autocomplete="/projects/autocomplete/"' in select.group(0)
    assert select.group(1).count("<option") == 1  # "All" only, not one per project
    chosen = bureau.get(reverse("approvals:worklist"), {"project": world.project1_a.pk})
    select = re.search(r'<select name="project"[^>]*>(.*?)</select>', chosen.content.decode(), re.S)
    assert re.findall(r'<option value="(\d*)"', select.group(1)) == ["", str(world.project1_a.pk)]
    assert "ZS-2025-0001 华鑫新能源电池项目" in select.group(1)
    assert f'data-case="{world.case_a.pk}"' in chosen.content.decode()
    # Another district's project is refused by the same scoping as before.
    form = WorklistFilterForm(
        {"project": world.project1_b.pk}, user=world.user_bureau, own_department_only=False
    )
    assert not form.is_valid() and "project" in form.errors


def test_a_multiple_field_draws_its_chosen_options_in_one_query(world):
    _more_projects(world, 30)
    chosen = [world.project1_a.pk, world.project2_a.pk]

    class Form(BootstrapMixin, forms.Form):
        projects = forms.ModelMultipleChoiceField(
            queryset=Project.objects.filter(district=world.district_a)
        )
        enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.all())

    form = Form({"projects": chosen, "enterprise": "x"})
    assert list(form.errors) == ["enterprise"]  # validated first (its own query)
    with CaptureQueriesContext(connection) as queries:
        html = str(form["projects"])
        other = str(form["enterprise"])  # not a number: nothing to look up
    assert len(queries) == 1, [q["sql"][-150:] for q in queries.captured_queries]
    assert sorted(int(v) for v in re.findall(r'<option value="(\d+)"', html)) == sorted(chosen)
    assert 'data-zs-autocomplete="/enterprises/autocomplete/"' in other
    assert re.findall(r'<option value="(\d*)"', other) == [""]
    assert Form({"projects": chosen, "enterprise": world.enterprise1_a.pk}).is_valid()


def test_open_cases_answered_and_a_meeting_draws_the_chosen_cases_only(world, client_for):
    bureau = client_for("bureau")
    found = _ids(bureau, "approvals:case_autocomplete", "华鑫")
    assert world.case_a.pk in found and world.case_b.pk not in found
    assert world.case_out_a.pk not in found  # another project's
    assert world.case_b.pk in _ids(client_for("bureau_b"), "approvals:case_autocomplete")
    html = client_for("supervisor").get(reverse("meetings:create")).content.decode()
    select = re.search(r'<select name="cases"[^>]*>(.*?)</select>', html, re.S)
    # The meeting's district's open cases (test_autocomplete_scopes).
    scope = f"/approvals/cases/autocomplete/?scope=district%3A{world.district_a.pk}"
    assert f'data-zs-autocomplete="{scope}"' in select.group(0)
    assert "<option" not in select.group(1)
