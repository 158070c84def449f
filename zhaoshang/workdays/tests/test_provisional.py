"""Years without a published arrangement: the provisional rule, provisional results, and
their recomputation when the year is loaded (the hook is called with the year)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from zhaoshang.core.models import DomainEvent
from zhaoshang.testing import SHANGHAI
from zhaoshang.workdays.choices import YearSource, YearStatus
from zhaoshang.workdays.models import CalendarEntry, CalendarYear, Day
from zhaoshang.workdays.rules import provisional_holidays
from zhaoshang.workdays.services import (
    WorkdayDate,
    add_workdays,
    ensure_range,
    index_last,
    is_provisional,
    is_workday,
    load_year,
    publish_year,
    workdays_between,
)

D = datetime.date
pytestmark = pytest.mark.django_db

# A made-up 2027 arrangement (the real one is not published at the frozen date): 元旦 off
# 1–4 January with Saturday 9 January worked.
ARRANGEMENT_2027 = [
    (D(2027, 1, 1), "holiday", "元旦"),
    (D(2027, 1, 2), "holiday", "元旦"),
    (D(2027, 1, 3), "holiday", "元旦"),
    (D(2027, 1, 4), "holiday", "元旦"),
    (D(2027, 1, 9), "workday", "元旦调休上班"),
]


def test_the_provisional_rule_for_2027():
    """Statutory days of the regulation as in force from 2025; nothing moved, no weekend
    worked."""
    assert provisional_holidays(2027) == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",  # 农历除夕
        D(2027, 2, 6): "春节",  # 正月初一
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 4, 5): "清明节",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午节",
        D(2027, 9, 15): "中秋节",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }
    assert not is_workday(D(2027, 2, 5)) and not is_workday(D(2027, 2, 8))
    assert is_workday(D(2027, 2, 9))
    assert is_workday(D(2027, 5, 3))  # 劳动节 on a weekend gives no Monday off
    assert is_workday(D(2027, 10, 4))
    assert not is_workday(D(2027, 2, 20))  # a Saturday: never worked under the rule
    assert is_provisional(D(2027, 6, 1)) and not is_provisional(D(2026, 12, 31))


def test_two_festivals_on_one_day_give_one_day_off():
    assert provisional_holidays(2028)[D(2028, 10, 3)] == "中秋节、国庆节"


def test_a_due_date_in_the_unloaded_year_is_provisional():
    # Wednesday 30 December 2026 + 3: Thursday 31, (Friday 1 January 2027: 元旦), Monday 4,
    # Tuesday 5.
    assert add_workdays(D(2026, 12, 30), 3) == WorkdayDate(D(2027, 1, 5), True)
    assert add_workdays(D(2026, 12, 30), 1) == WorkdayDate(D(2026, 12, 31), False)
    # Starting on the last day of 2026 counts only 2027's days.
    assert add_workdays(D(2026, 12, 31), 1) == WorkdayDate(D(2027, 1, 4), True)
    assert add_workdays(D(2027, 3, 1), 2) == WorkdayDate(D(2027, 3, 3), True)


def test_publishing_2027_recomputes_and_calls_the_hook(hook_calls, world):
    before = add_workdays(D(2026, 12, 30), 3)
    far = add_workdays(D(2027, 12, 30), 3)  # into 2028: stays provisional
    year = load_year(
        2027,
        ARRANGEMENT_2027,
        notice="国办发明电〔2026〕X号",
        status="published",
        user=world.user_admin,
        title="国务院办公厅关于2027年部分节假日安排的通知",
    )
    after = add_workdays(D(2026, 12, 30), 3)
    assert before == WorkdayDate(D(2027, 1, 5), True)
    assert after == WorkdayDate(D(2027, 1, 6), False)  # 31 Dec, 5 Jan, 6 Jan
    assert add_workdays(D(2027, 1, 8), 1) == WorkdayDate(D(2027, 1, 9), False)  # Saturday
    # The hook ran once, for 2027, inside the same transaction and on the new index.
    assert hook_calls == [{"years": [2027], "seen": WorkdayDate(D(2027, 1, 6), False)}]
    # Later years keep counting from the new 2027: one working day fewer before 2028.
    assert add_workdays(D(2027, 12, 30), 3) == far
    assert workdays_between(D(2026, 12, 31), D(2027, 12, 31)) == sum(
        Day.objects.filter(date__year=2027).values_list("is_workday", flat=True)
    )
    assert year.status == YearStatus.PUBLISHED and year.source == YearSource.IMPORT
    assert year.loaded_by == world.user_admin and year.published_at is not None
    assert year.history.first().history_user == world.user_admin
    assert CalendarEntry.objects.filter(calendar_year=year).count() == 5
    assert DomainEvent.objects.filter(verb="calendar.year_loaded", object_id=year.pk).exists()


def test_a_draft_changes_nothing_until_published(hook_calls, world):
    load_year(2027, ARRANGEMENT_2027, notice="", status="draft", user=world.user_admin)
    assert add_workdays(D(2026, 12, 30), 3) == WorkdayDate(D(2027, 1, 5), True)
    assert is_provisional(D(2027, 1, 4))
    assert hook_calls == []
    publish_year(2027, user=world.user_admin)
    assert add_workdays(D(2026, 12, 30), 3) == WorkdayDate(D(2027, 1, 6), False)
    assert [c["years"] for c in hook_calls] == [[2027]]
    assert DomainEvent.objects.filter(verb="calendar.year_published").count() == 1
    with pytest.raises(ValidationError, match="already published"):
        publish_year(2027, user=world.user_admin)


def test_a_published_year_is_never_turned_back_into_a_draft():
    with pytest.raises(ValidationError, match="published"):
        load_year(2026, [], notice="", status="draft")
    assert CalendarYear.objects.get(year=2026).status == YearStatus.PUBLISHED
    assert CalendarEntry.objects.filter(date__year=2026).count() > 30


def test_correcting_a_published_year_rebuilds_from_it(hook_calls):
    """Reload 2026 without its 10 October worked Saturday: later counts shift by one."""
    entries = [
        (e.date, e.kind, e.name)
        for e in CalendarEntry.objects.filter(date__year=2026)
        if e.date != D(2026, 10, 10)
    ]
    span = workdays_between(D(2026, 9, 30), D(2029, 6, 1))
    load_year(2026, entries, notice="国办发明电〔2025〕7号", status="published")
    assert not is_workday(D(2026, 10, 10))
    assert workdays_between(D(2026, 9, 30), D(2029, 6, 1)) == span - 1
    assert workdays_between(D(2010, 1, 1), D(2026, 9, 30)) == workdays_between(
        D(2010, 1, 1), D(2026, 9, 30)
    )
    assert hook_calls[0]["years"] == [2026]
    last = index_last()
    assert Day.objects.count() == (last - D(2004, 1, 1)).days + 1


def test_bad_entries_are_refused_whole():
    with pytest.raises(ValidationError) as caught:
        load_year(
            2027,
            [
                (D(2027, 1, 1), "holiday", "元旦"),
                (D(2028, 1, 1), "holiday", "元旦"),
                (D(2027, 1, 1), "workday", ""),
                (D(2027, 2, 1), "vacation", ""),
            ],
            notice="",
            status="published",
        )
    text = " ".join(caught.value.messages)
    assert "entry 2" in text and "entry 3" in text and "entry 4" in text
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_weekday_worked_and_weekend_holiday_entries_are_fine():
    load_year(
        2027,
        [(D(2027, 1, 2), "holiday", "元旦"), (D(2027, 1, 5), "workday", "")],
        notice="",
        status="published",
    )
    assert not is_workday(D(2027, 1, 2)) and is_workday(D(2027, 1, 5))
    assert is_workday(D(2027, 1, 1))  # a published year without 1 January off is taken as is


def test_the_index_always_reaches_three_years_ahead():
    with time_machine.travel(datetime.datetime(2028, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        ensure_range(D(2028, 3, 1))
    assert index_last() == D(2031, 12, 31)
    assert is_provisional(D(2031, 12, 31))


def test_the_index_grows_on_demand_with_provisional_years():
    assert index_last() == D(2029, 12, 31)
    result = add_workdays(D(2029, 12, 20), 30)
    assert result.provisional and result.date.year == 2030
    assert index_last() >= D(2030, 12, 31)
    assert Day.objects.count() == (index_last() - D(2004, 1, 1)).days + 1
    assert workdays_between(D(2004, 1, 1), D(2031, 6, 30)) > 0
    assert is_provisional(D(2031, 6, 30))
