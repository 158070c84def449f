"""The print views of the lists (台账): every row matching the list's filters (not one page),
scoped like the list, on the shared A4 landscape layout with the district's heading, the
list's title, the filters and the moment printed; no navigation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.printing import css_string, filter_summary
from zhaoshang.monitoring.models import Signal
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def _projects(world, n: int, stage: str = "signed") -> None:
    for i in range(n):
        Project.objects.create(
            district=world.district_a,
            code=f"ZS-P-{stage}-{i:03d}",
            name=f"打印项目{stage}{i}",
            industry=world.industry_a,
            park=world.park1_a,
            total_investment=Decimal("100"),
            working_group=world.group_a,
            stage=stage,
        )


def _signals(world, n: int) -> None:
    ctype = ContentType.objects.get_for_model(ApprovalCase)
    Signal.objects.bulk_create(
        Signal(
            district=world.district_a,
            subject="case",
            content_type=ctype,
            object_id=20_000 + i,
            project=world.project1_a if i % 2 else world.project2_a,
            department=world.dept_works_a,
            title=f"打印事项{i}",
            url="/",
            due_on=datetime.date(2026, 6, 1),
            light="red" if i % 2 else "yellow",
            since=datetime.date(2026, 6, 2),
            level=0,
            checked_on=datetime.date(2026, 6, 15),
        )
        for i in range(n)
    )


def test_the_project_print_lists_every_row_of_the_filters(client_for, world):
    _projects(world, 30, "signed")
    _projects(world, 3, "started")
    client = client_for("bureau")
    html = client.get(reverse("projects:print")).content.decode()
    in_scope = Project.objects.visible_to(world.user_bureau).count()
    assert in_scope > 30  # more than one page of the list (25)
    assert html.count("data-row=") == in_scope
    html = client.get(reverse("projects:print"), {"stage": "signed"}).content.decode()
    signed = Project.objects.visible_to(world.user_bureau).filter(stage="signed").count()
    assert html.count("data-row=") == signed
    assert "打印项目started0" not in html
    # The sheet: the district's heading, the filters, the moment printed; no navigation.
    assert f"{world.district_a.city}{world.district_a.name}" in html
    assert 'data-testid="print-filters"' in html
    assert "2026-06-15" in html
    assert "navbar" not in html
    assert "size: A4 landscape" in html


def test_the_list_links_its_print_view_with_its_filters(client_for, world):
    html = client_for("bureau").get(reverse("projects:list"), {"stage": "signed"}).content
    assert b'href="/projects/print/?stage=signed"' in html or b"print/?stage=signed" in html


def test_the_lights_print_is_scoped_like_the_board(client_for, world):
    _signals(world, 30)
    assert client_for("bureau").get(reverse("monitoring:print")).content.count(b"data-row=") == 30
    red = client_for("bureau").get(reverse("monitoring:print"), {"light": "red"}).content
    assert red.count(b"data-row=") == 15
    assert client_for("bureau_b").get(reverse("monitoring:print")).content.count(b"data-row=") == 0


@pytest.mark.parametrize(
    "route", ["monitoring:print", "meetings:board_print", "complaints:print", "projects:print"]
)
def test_every_print_view_has_the_shared_layout(client_for, world, route):
    response = client_for("supervisor").get(reverse(route))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="print-sheet"' in html
    assert 'data-testid="print-heading"' in html
    assert "counter(page)" in html
    assert "navbar" not in html


def test_the_city_prints_under_the_city_s_name(client_for, world):
    html = client_for("city").get(reverse("projects:print")).content.decode()
    assert world.district_a.city in html


def test_filter_summary_and_css_string(world):
    from zhaoshang.projects.forms import ProjectFilterForm

    form = ProjectFilterForm({"stage": "signed", "q": "园"}, user=world.user_bureau)
    pairs = dict(filter_summary(form))
    assert "园" in pairs.values()
    assert len(pairs) == 2
    assert filter_summary(None) == []
    assert str(css_string('a"b\\c')) == "a\\22 b\\5c c"
