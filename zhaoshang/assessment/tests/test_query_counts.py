"""Query-count invariance of the assessment pages, the export and the API lists: 3 rows cost
as many queries as 30."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, DepartmentBase
from zhaoshang.assessment.services import write_rule_entry
from zhaoshang.assessment.tests.factories import make_entry, make_objection
from zhaoshang.org.models import Department

_n = iter(range(1, 100000))
MEASURED: dict[str, int] = {}


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _same(client, url, grow, params=None, key=None) -> None:
    grow(3)
    small = _count(client, url, params)
    grow(27)
    assert _count(client, url, params) == small
    MEASURED[key or url] = small
    print(f"queries {key or url}: {small}")


def grow_departments(world, n: int) -> None:
    settings, _ = AssessmentYear.objects.get_or_create(district=world.district_a, year=2026)
    for i in range(n):
        department = Department.objects.create(
            district=world.district_a, name=f"测试部门{next(_n)}"
        )
        make_entry(department, "-1.5" if i % 2 else "2", with_file=bool(i % 2))
        if i % 3 == 0:
            DepartmentBase.objects.create(
                district=world.district_a,
                assessment_year=settings,
                department=department,
                base_score=Decimal("90"),
            )


def grow_ledger(world, n: int) -> None:
    """Entries of 建设局 of every kind: hand entries, rule entries, objections pending,
    upheld (with their counter-entries) and rejected."""
    for i in range(n):
        entry = make_entry(world.dept_works_a, "-1", with_file=bool(i % 2))
        if i % 4 == 1:
            make_objection(entry, world.user_department)
        elif i % 4 == 2:
            objection = make_objection(entry, world.user_department, with_file=False)
            scoring.answer_objection(world.user_supervisor, objection, upheld=True, answer="成立")
        elif i % 4 == 3:
            objection = make_objection(entry, world.user_department)
            scoring.answer_objection(world.user_supervisor, objection, upheld=False, answer="驳回")


@pytest.fixture
def rule_entry(world):
    """A rule entry whose evidence is an approval case (a record page, not a file)."""
    return write_rule_entry(
        "overdue_case", world.dept_works_a, world.case_a, "逾期", datetime.date(2026, 3, 1)
    )


@pytest.mark.parametrize("who", ["supervisor", "department", "city"])
@pytest.mark.parametrize(
    "url",
    [reverse("assessment:rankings"), reverse("assessment:export"), "/api/v1/assessment-standings/"],
)
def test_rankings_do_not_grow_with_departments(client_for, world, who, url):
    _same(
        client_for(who), url, lambda n: grow_departments(world, n), {"year": 2026}, f"{url} {who}"
    )


@pytest.mark.parametrize("who", ["supervisor", "department", "city"])
def test_ledger_page_does_not_grow_with_entries(client_for, world, rule_entry, who):
    url = reverse("assessment:ledger", args=[world.dept_works_a.pk])
    _same(client_for(who), url, lambda n: grow_ledger(world, n), {"year": 2026}, f"ledger {who}")


@pytest.mark.parametrize("who", ["supervisor", "leader", "city"])
def test_objections_queue_does_not_grow(client_for, world, who):
    url = reverse("assessment:objections")
    _same(
        client_for(who), url, lambda n: grow_ledger(world, n), {"year": 2026}, f"objections {who}"
    )


def test_entry_form_does_not_grow_with_entries(client_for, world):
    url = reverse("assessment:entry_create")
    _same(client_for("supervisor"), url, lambda n: grow_ledger(world, n), key="entry form")


def test_year_page_does_not_grow_with_departments(client_for, world):
    url = reverse("assessment:year", args=[2026])
    _same(client_for("supervisor"), url, lambda n: grow_departments(world, n), key="year")


@pytest.mark.parametrize("who", ["supervisor", "department", "city"])
def test_entries_api_does_not_grow(client_for, world, rule_entry, who):
    url = "/api/v1/assessment-entries/"
    _same(client_for(who), url, lambda n: grow_ledger(world, n), {"page_size": 500}, f"api {who}")


def test_standings_is_a_constant_number_of_queries(world, django_assert_num_queries):
    grow_departments(world, 3)
    with django_assert_num_queries(4):
        scoring.standings(world.district_a, 2026)
    grow_departments(world, 27)
    with django_assert_num_queries(4):
        rows = scoring.standings(world.district_a, 2026)
    assert len(rows) > 30
