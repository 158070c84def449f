"""Query-count invariance of the report pages and the API list: 3 rows cost as many
queries as 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.monitoring.services import record_lights
from zhaoshang.reports.tests.factories import (
    add_case,
    add_entry,
    add_funds,
    add_issued,
    add_job,
    add_monthly_report,
    add_project,
    add_signal,
    day,
)

_n = iter(range(1, 100000))


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow_projects(world, n: int) -> None:
    for i in range(n):
        project = add_project(world, park=world.park2_a if i % 2 else world.park1_a)
        add_funds(project, "10")
        add_monthly_report(project, "2026-05-01", "5", "50")
        if i % 3 == 0:
            add_signal(project, "red", f"超期{i}", world.dept_works_a)
    record_lights(day("2026-05-31"))  # May's lights kept (a closed month reads them)


def grow_bulletin(world, n: int) -> None:
    from zhaoshang.org.models import Department

    for i in range(n):
        department = Department.objects.create(district=world.district_a, name=f"测试局{next(_n)}")
        add_case(world, department, done_on="2026-02-01", due_on="2026-02-10")
        add_signal(add_project(world), "red", f"超期{i}", department)
    record_lights(day("2026-03-31"))  # the quarter's last day's lights


def grow_ledger(world, n: int) -> None:
    from zhaoshang.org.models import Department

    for _i in range(n):
        department = Department.objects.create(district=world.district_a, name=f"考核局{next(_n)}")
        add_entry(world, department, "-1", rule_code="overdue_case")
        add_entry(world, department, "-0.5")


CASES = [
    ("monthly", "2026-05", grow_projects),  # closed: the lights' history
    ("monthly", "2026-06", grow_projects),  # open: today's signals
    ("quarterly", "2026-Q1", grow_bulletin),
    ("quarterly", "2026-Q2", grow_bulletin),
    ("annual", "2025", grow_ledger),
]


@pytest.mark.parametrize("who", ["bureau", "park", "city"])
@pytest.mark.parametrize(("kind", "period", "grow"), CASES)
def test_live_reports_do_not_grow(client_for, world, who, kind, period, grow):
    if who == "park" and kind != "monthly":
        pytest.skip("park committees read the monthly summary only")
    client = client_for(who)
    url = reverse("reports:report", args=[kind])
    grow(world, 3)
    small = _count(client, url, {"period": period})
    grow(world, 27)
    assert _count(client, url, {"period": period}) == small


@pytest.mark.parametrize("who", ["bureau", "city"])
@pytest.mark.parametrize("url", [reverse("reports:hub"), "/api/v1/reports/"])
def test_issued_lists_do_not_grow(client_for, world, who, url):
    client = client_for(who)
    params = {"page_size": 500} if "api" in url else {}

    def grow(n):
        for i in range(n):
            add_issued(world, version=next(_n), tag="a" if i % 2 else "b")
            add_job(world, user=world.user_bureau)

    grow(3)
    small = _count(client, url, params)
    grow(27)  # the hub shows 25 rows a page
    assert _count(client, url, params) == small


def test_issued_page_does_not_grow_with_its_versions(client_for, world):
    client = client_for("bureau")
    first = add_issued(world)
    for v in range(2, 4):
        add_issued(world, version=v)
    small = _count(client, reverse("reports:issued", args=[first.pk]))
    for v in range(4, 31):
        add_issued(world, version=v)
    assert _count(client, reverse("reports:issued", args=[first.pk])) == small
