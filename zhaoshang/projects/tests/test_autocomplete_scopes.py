"""An autocompleted field offers what its form offers (issue 19.3, ``core.widgets``
``offer_scope``/``register_scope``): a form whose queryset is not "what the user sees" names
a scope, its widget asks the endpoint for it, and the endpoint answers that scope's
queryset — the same one the form validates against — or nothing to a user who could not
open such a form."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from zhaoshang.complaints.forms import ReceiveForm
from zhaoshang.meetings.forms import BoardFilterForm, MeetingForm
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def _widget_url(form, field: str) -> str:
    html = str(form[field])
    found = re.search(r'data-zs-autocomplete="([^"]+)"', html)
    assert found, html
    return found.group(1).replace("&amp;", "&")


def _answer(client, url: str, q: str = "") -> list[int]:
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    response = client.get(parts.path, {**params, "q": q})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_a_park_user_finds_another_parks_project_in_a_complaint(world, client_for):
    """The complaint desk offers every project of the district; a park committee sees only
    its park's projects, so without the scope it could not find project2_a (park 2)."""
    form = ReceiveForm(district_id=world.district_a.pk)
    url = _widget_url(form, "project")
    assert parse_qs(urlsplit(url).query)["scope"] == [f"district:{world.district_a.pk}"]
    park = client_for("park")
    assert world.project2_a.pk not in _answer(park, reverse("projects:autocomplete"), "蜀味")
    assert _answer(park, url, "蜀味") == [world.project2_a.pk]
    assert set(_answer(park, url)) == set(
        form.fields["project"].queryset.values_list("pk", flat=True)
    )
    enterprises = _widget_url(form, "enterprise")
    assert set(_answer(park, enterprises)) == set(
        form.fields["enterprise"].queryset.values_list("pk", flat=True)
    )


def test_a_district_scope_is_refused_for_another_district_and_for_enterprises(world, client_for):
    theirs = reverse("projects:autocomplete") + f"?scope=district:{world.district_b.pk}"
    assert _answer(client_for("bureau"), theirs) == []
    assert set(_answer(client_for("bureau_b"), theirs)) == set(
        Project.objects.filter(district=world.district_b).values_list("pk", flat=True)
    )
    for bad in ("district:", "district:x", "nosuchscope", "district:1:2"):
        assert (
            _answer(client_for("bureau"), reverse("projects:autocomplete") + f"?scope={bad}") == []
        )
    # Enterprise users do not reach the staff's endpoints at all.
    ours = reverse("projects:autocomplete") + f"?scope=district:{world.district_a.pk}"
    assert client_for("enterprise").get(ours).status_code == 403


def test_meeting_fields_ask_for_the_meetings_district(world, client_for):
    form = MeetingForm(district_id=world.district_a.pk)
    supervisor = client_for("supervisor")
    projects = _widget_url(form, "projects")
    assert set(_answer(supervisor, projects)) == set(
        form.fields["projects"].queryset.values_list("pk", flat=True)
    )
    cases = _widget_url(form, "cases")
    assert "scope=district" in cases
    assert set(_answer(supervisor, cases)) == set(
        form.fields["cases"].queryset.values_list("pk", flat=True)
    )
    assert world.case_out_a.pk in _answer(client_for("park"), cases)


def test_a_filter_offers_only_projects_with_what_the_page_lists(world, client_for):
    """The supervision board's project filter: projects with action items only."""
    from zhaoshang.meetings.tests.factories import make_item

    make_item(world, project=world.project2_a)
    form = BoardFilterForm(user=world.user_supervisor)
    url = _widget_url(form, "project")
    assert parse_qs(urlsplit(url).query)["scope"] == ["action-items"]
    assert _answer(client_for("supervisor"), url) == [world.project2_a.pk]
    assert list(form.fields["project"].queryset) == [world.project2_a]
