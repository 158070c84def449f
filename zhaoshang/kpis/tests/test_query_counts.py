"""Query-count invariance of the KPI pages and API: 3 projects cost as many queries as 30.

The targets and projects are made once for the module (``built_once_per_module``): 3
projects, then every page's count (each request in a savepoint of its own, rolled back),
then 27 more; each test counts its page again on the 30 projects, in its own savepoint, and
compares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.kpis.tests.factories import (
    D,
    add_agreement,
    add_case,
    add_funds,
    make_project,
    make_target,
    started_by,
)
from zhaoshang.testing.clients import SESSIONS, client_with_session
from zhaoshang.testing.shared import built_once_per_module


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow(world, n: int) -> None:
    """n signed projects of 2026 in both districts, with stages, agreements, funds and
    cases."""
    for i in range(n):
        tag = "a" if i % 3 else "b"
        project = make_project(
            world,
            tag,
            signed_on=D(2026, 1, 1 + i % 28),
            registered_on=D(2026, 2, 1),
            started_on=D(2026, 3, 1) if i % 2 else None,
            total_investment=Decimal(100000 * (i % 12 + 1)),
            working_group=world.group_a if tag == "a" else None,
        )
        if tag == "a":
            project.paired_departments.add(world.dept_works_a)
        add_agreement(world, project, "1000", obligations=[started_by(D(2026, 4, 1))])
        add_funds(world, project, "100", D(2026, 2, 2))
        item = getattr(world, f"item_works_{tag}")
        add_case(world, project, item, due_on=D(2026, 3, 1), done_on=D(2026, 2, 20 + i % 5))


PAGES = [
    (reverse("kpis:index"), {}),
    (reverse("kpis:charts"), {}),
    (reverse("kpis:charts"), {"year": 2025}),
    (reverse("kpis:trends"), {}),
    (reverse("kpis:funds"), {"year": 2026, "month": 2}),
    (reverse("kpis:drill"), {"kpi": "signed_count", "tier_min": 100000, "tier_below": 500000}),
    (reverse("kpis:drill"), {"kpi": "start_rate", "as_of": "2026-03-31"}),
    (reverse("kpis:drill"), {"kpi": "on_time_rate", "part": "denominator"}),
    (reverse("kpis:drill"), {"kpi": "funds_in_place_rate", "part": "numerator"}),
    (reverse("kpis:drill"), {"kpi": "performance_rate", "part": "numerator"}),
    (reverse("kpis:drill"), {"kpi": "signed_count", "part": "numerator"}),
    (reverse("kpis:compare"), {}),
    (reverse("kpis:export"), {}),
    (reverse("kpis:targets"), {}),
    ("/api/v1/kpis/", {}),
    ("/api/v1/targets/", {"page_size": 500}),
]


READERS = ["bureau", "city"]


def counts_on_3_projects(world) -> dict:
    """The targets and 3 projects, every page's count (each request rolled back), then 27
    more projects (a drill-down page shows 25 rows)."""
    for tag in ("a", "b"):
        make_target(world, tag)
    make_target(world, working_group=world.group_a)
    make_target(world, department=world.dept_works_a)
    grow(world, 3)
    counts = {}
    for who in READERS:
        for n, (url, params) in enumerate(PAGES):
            with transaction.atomic():
                counts[who, n] = _count(client_with_session(SESSIONS[who]), url, params)
                transaction.set_rollback(True)
    grow(world, 27)
    return counts


globals().update(built_once_per_module(counts_on_3_projects))


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize(("url", "params"), PAGES)
def test_pages_and_api_do_not_grow_with_the_projects(matrix_objects, client_for, who, url, params):
    small = matrix_objects[who, PAGES.index((url, params))]
    assert _count(client_for(who), url, params) == small
