"""The approval pages' own queries do not grow with rows, calendar lookups aside.

``core/tests/test_query_counts.py`` checks every page end to end; there the case page and
the project's approvals tab are known to grow, by one calendar query per transfer
(``services.days_held_by_department``) and per case not yet started (``services.forecast``).
So that the pages themselves stay guarded meanwhile, this runs the same comparison with
the services' working-day arithmetic answered from memory — the same rule, read once
from the index — so any other query per row still fails here.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.approvals import services
from zhaoshang.core.tests.test_query_counts import grow
from zhaoshang.workdays import services as workdays
from zhaoshang.workdays.models import Day


@pytest.fixture
def calendar_in_memory(monkeypatch):
    """add_workdays and workdays_between for the services, from the index read once."""
    rows = list(
        Day.objects.filter(date__range=(datetime.date(2025, 1, 1), datetime.date(2028, 12, 31)))
        .order_by("date")
        .values_list("date", "seq", "is_workday", "provisional_seq")
    )
    by_date = {d: (seq, prov) for d, seq, _w, prov in rows}
    workday_by_seq = {seq: d for d, seq, is_workday, _p in rows if is_workday}

    def add_workdays(start, n):
        seq, prov = by_date[start]
        if n == 0:
            return workdays.WorkdayDate(start, False)
        found = workday_by_seq[seq + n]
        return workdays.WorkdayDate(found, by_date[found][1] > prov)

    def workdays_between(d1, d2):
        return by_date[d2][0] - by_date[d1][0]

    # Same answers as the index: checked on a few dates across the Dragon Boat holiday.
    for start, n in ((datetime.date(2026, 6, 15), 3), (datetime.date(2026, 6, 17), 3)):
        assert add_workdays(start, n) == workdays.add_workdays(start, n)
    monkeypatch.setattr(services.workdays, "add_workdays", add_workdays)
    monkeypatch.setattr(services.workdays, "workdays_between", workdays_between)


@pytest.mark.parametrize(
    ("who", "route", "target"),
    [
        ("department", "approvals:case", "case"),
        ("bureau", "approvals:case", "case"),
        ("bureau", "approvals:project", "project"),
        ("service_center", "approvals:project", "project"),
    ],
)
def test_page_queries_do_not_grow_apart_from_the_calendar(
    client_for, world, calendar_in_memory, who, route, target
):
    obj = world.case_a if target == "case" else world.project1_a
    url = reverse(route, args=[obj.pk])
    client = client_for(who)

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(world, 3)
    small = count()
    grow(world, 27)
    assert count() == small
