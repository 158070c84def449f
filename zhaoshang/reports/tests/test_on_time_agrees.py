"""The approval on-time rate is one rule (``approvals.querysets.on_time_q``): the KPI page
and the quarterly bulletin count the same cases on time — a case done without a due date
included, which cannot be late (today is 2026-06-15)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.kpis.tests.factories import D, add_case, make_project


def test_the_kpi_page_and_the_bulletin_agree_on_cases_done_on_time(world, client_for):
    # Two projects of the 2026 cohort, their four cases all done in 2026-Q2 (nothing else
    # of district a is done: the world's cases are pending).
    first = make_project(world, signed_on=D(2026, 1, 10))
    second = make_project(world, signed_on=D(2026, 2, 20))
    works, land = world.item_works_a, world.item_land_a
    add_case(world, first, works, due_on=D(2026, 4, 20), done_on=D(2026, 4, 15))  # on time
    add_case(world, first, land, due_on=D(2026, 5, 10), done_on=D(2026, 5, 12))  # late
    add_case(world, second, works, due_on=None, done_on=D(2026, 5, 20))  # no due date
    add_case(world, second, land, due_on=D(2026, 6, 1), done_on=D(2026, 6, 1))  # on time
    assert ApprovalCase.objects.filter(district=world.district_a, status="done").count() == 4

    # By hand: 4 done, 3 on time (the one without a due date cannot be late) → 75 %.
    kpi_page = client_for("bureau").get(reverse("kpis:index"), {"year": 2026})
    assert kpi_page.status_code == 200
    card = next(c for c in kpi_page.context["cards"] if c["name"] == "on_time_rate")
    assert (card["numerator"], card["denominator"]) == (3, 4)
    assert card["value"] == Decimal("0.7500")

    bulletin = client_for("leader").get(
        reverse("reports:report", args=["quarterly"]), {"period": "2026-Q2", "live": "1"}
    )
    assert bulletin.status_code == 200
    ranked = bulletin.context["figures"]["sections"][0]["rows"]
    # Columns: rank, department, cases done, done on time, timeliness, …
    done = sum(row[2] for row in ranked)
    on_time = sum(row[3] for row in ranked)
    assert (on_time, done) == (3, 4)
    assert (on_time, done) == (card["numerator"], card["denominator"])
    by_department = {row[1]: (row[3], row[2], row[4]) for row in ranked}
    assert by_department[works.department.name] == (2, 2, 1.0)
    assert by_department[land.department.name] == (1, 2, 0.5)
