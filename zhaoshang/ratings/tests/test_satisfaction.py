"""Satisfaction per department (好评率 = (满意 + 基本满意) ÷ ratings), in one query."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.ratings.services import satisfaction, satisfaction_total
from zhaoshang.ratings.tests.factories import make_rating

Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


def test_rates_per_department_in_the_period_best_first(world):
    day = datetime.date(2026, 5, 5)
    for score in ("satisfied", "fairly", "dissatisfied", "dissatisfied"):
        make_rating(world, score=score, rated_on=day)
    for score in ("satisfied", "satisfied"):
        make_rating(
            world, score=score, department=world.dept_land_a, project=world.project2_a, rated_on=day
        )
    make_rating(world, score="dissatisfied", rated_on=datetime.date(2026, 3, 31))  # before
    make_rating(world, score="dissatisfied", rated_on=datetime.date(2026, 7, 1))  # after
    make_rating(world, "b", score="dissatisfied", rated_on=day)  # another district

    district_id = world.district_a.pk
    with CaptureQueriesContext(connection) as ctx:
        rows = satisfaction(district_id, *Q2)
    assert len(ctx.captured_queries) == 1
    assert [(r.department, r.rated, r.satisfied, r.fairly, r.dissatisfied) for r in rows] == [
        (world.dept_land_a.name, 2, 2, 0, 0),
        (world.dept_works_a.name, 4, 1, 1, 2),
    ]
    assert [r.rate for r in rows] == [Decimal("1"), Decimal("0.5")]
    total = satisfaction_total(rows)
    assert (total.rated, total.rate) == (6, Decimal("0.6667"))


def test_nobody_rated_is_no_rate(world):
    assert satisfaction(world.district_a.pk, *Q2) == []
    assert satisfaction_total([]).rate is None
