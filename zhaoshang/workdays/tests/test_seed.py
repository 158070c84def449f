"""The shipped years 2004–2026: faithful to chinese-calendar, cross-checked against the
`holidays` package, fast and deterministic to load."""

from __future__ import annotations

import datetime
import time
from types import SimpleNamespace

import chinese_calendar
import holidays
import pytest
from django.apps import apps
from django.db import connection

from zhaoshang.workdays import rules, seed
from zhaoshang.workdays.models import CalendarEntry, CalendarYear, Day

D = datetime.date
pytestmark = pytest.mark.django_db
ONE_DAY = datetime.timedelta(days=1)


def _days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def test_the_seed_years_are_published_with_their_notices():
    years = {y.year: y for y in CalendarYear.objects.filter(source="seed")}
    assert sorted(years) == list(range(2004, 2027))
    assert all(y.status == "published" for y in years.values())
    assert years[2026].notice == "国办发明电〔2025〕7号"
    assert years[2026].notice_title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert years[2025].notice == "国办发明电〔2024〕12号"
    assert years[2004].notice == ""  # not known; the title is
    national_day = CalendarEntry.objects.get(date=D(2026, 10, 1))
    assert (national_day.kind, national_day.name) == ("holiday", "国庆节")
    worked = CalendarEntry.objects.get(date=D(2026, 10, 10))
    assert (worked.kind, worked.name) == ("workday", "国庆节调休上班")


def test_the_seed_is_chinese_calendar_but_for_the_corrections():
    index = dict(Day.objects.filter(date__lte=D(2026, 12, 31)).values_list("date", "is_workday"))
    differences = {
        day
        for day in _days(D(2004, 1, 1), D(2026, 12, 31))
        if index[day] != chinese_calendar.is_workday(day)
    }
    assert differences == set(seed.CORRECTIONS)


def test_cross_check_against_the_holidays_package():
    """Every day of 2004–2026 is worked or not alike in our calendar and in `holidays`
    (its China calendar with the State Council's substituted days and worked weekends).

    Only whether a day is worked is compared: the two name days differently (chinese-
    calendar lists the weekend days inside a break as holidays, `holidays` does not, and
    `holidays` calls a moved day "substituted"), which changes no count.

    No difference is allowed. The one the check found is corrected in the seed
    (seed.CORRECTIONS): Saturday 31 December 2005, worked by the 2006 notice
    国办发明电〔2005〕35号, which chinese-calendar 1.11 misses and `holidays` has.
    """
    theirs = holidays.China(years=range(2003, 2028))
    ours = dict(Day.objects.filter(date__lte=D(2026, 12, 31)).values_list("date", "is_workday"))
    differences = [
        (day, ours[day])
        for day in _days(D(2004, 1, 1), D(2026, 12, 31))
        if ours[day] != theirs.is_working_day(day)
    ]
    assert differences == []


def test_the_index_is_the_rules_applied_to_the_seed():
    """Deterministic: the migration's index is what the rules compute from the seed, to
    the last provisional day of 2029."""
    entries = seed.seed_entries()
    published = {y: {d: k for d, k, _n in rows} for y, rows in entries.items()}
    expected = [
        (r.date, r.is_workday, r.seq, r.is_provisional, r.provisional_seq)
        for r in rules.day_rows(rules.EPOCH, seed.SEED_INDEX_LAST, published)
    ]
    stored = list(
        Day.objects.filter(date__lte=seed.SEED_INDEX_LAST)
        .order_by("date")
        .values_list("date", "is_workday", "seq", "is_provisional", "provisional_seq")
    )
    assert stored == expected
    assert stored[-1][0] == D(2029, 12, 31)
    assert not any(row[3] for row in stored if row[0].year <= 2026)
    assert all(row[3] for row in stored if row[0].year >= 2027)


def test_the_seed_loads_in_well_under_five_seconds():
    Day.objects.all().delete()
    CalendarYear.objects.all().delete()
    started = time.monotonic()
    seed.seed_calendar(apps, SimpleNamespace(connection=connection))
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"the seed took {elapsed:.1f} s"
    assert CalendarYear.objects.count() == 23
    assert Day.objects.count() == (seed.SEED_INDEX_LAST - rules.EPOCH).days + 1
