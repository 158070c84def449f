"""The SQL expressions give the Python functions' numbers (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db.models import F, OuterRef, Value

from zhaoshang.projects.models import Project
from zhaoshang.workdays.models import Day
from zhaoshang.workdays.querysets import days_left_expression, workday_seq
from zhaoshang.workdays.services import days_left, seq_of, workdays_between

D = datetime.date
pytestmark = pytest.mark.django_db


def _random_dates(seed: int, count: int) -> list[datetime.date]:
    rng = random.Random(seed)
    last = Day.objects.order_by("-date").values_list("date", flat=True).first()
    span = (last - D(2004, 1, 1)).days
    return sorted(
        {D(2004, 1, 1) + datetime.timedelta(days=rng.randrange(span + 1)) for _ in range(count)}
    )


def test_workday_seq_differences_are_workdays_between():
    dates = _random_dates(1, 400)
    seqs = dict(
        Day.objects.filter(date__in=dates).annotate(n=workday_seq("date")).values_list("date", "n")
    )
    assert len(seqs) == len(dates)
    rng = random.Random(2)
    for _ in range(300):
        d1, d2 = rng.choice(dates), rng.choice(dates)
        assert seqs[d2] - seqs[d1] == workdays_between(d1, d2), (d1, d2)


def test_workday_seq_of_a_constant_and_of_f_and_outerref():
    day = D(2026, 10, 10)
    row = (
        Day.objects.filter(date=D(2026, 6, 15))
        .annotate(
            const=workday_seq(day),
            value=workday_seq(Value(day)),
            f=workday_seq(F("date")),
            outer=workday_seq(OuterRef("date")),
        )
        .values("const", "value", "f", "outer")
        .get()
    )
    assert row == {
        "const": seq_of(day),
        "value": seq_of(day),
        "f": seq_of(D(2026, 6, 15)),
        "outer": seq_of(D(2026, 6, 15)),
    }


@pytest.mark.parametrize(
    "today",
    [D(2026, 6, 15), D(2026, 10, 3), D(2026, 10, 10), D(2026, 12, 31), D(2027, 2, 6)],
    ids=["monday", "holiday", "worked-saturday", "year-end", "provisional-holiday"],
)
def test_days_left_expression_matches_python(today):
    dates = _random_dates(3, 300)
    # Include the dates around today, where the sign changes.
    dates += [today + datetime.timedelta(days=k) for k in range(-4, 5)]
    rows = dict(
        Day.objects.filter(date__in=dates)
        .annotate(left=days_left_expression("date", today))
        .values_list("date", "left")
    )
    for due in set(dates):
        assert rows[due] == days_left(due, today), (due, today)
    assert rows[today] == 0


def test_days_left_on_a_real_model_sorts_and_is_null_without_a_date(world):
    today = D(2026, 6, 15)
    projects = list(
        Project.objects.filter(pk__in=[world.project1_a.pk, world.project2_a.pk])
        .annotate(left=days_left_expression("signed_on", today))
        .order_by("left")
        .values_list("pk", "left")
    )
    lefts = dict(projects)
    assert lefts[world.project1_a.pk] == days_left(world.project1_a.signed_on, today) < 0
    assert lefts[world.project2_a.pk] is None  # not signed
