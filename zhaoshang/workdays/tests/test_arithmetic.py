"""Due dates across the State Council's arrangement: holidays, weekends worked, a start on
a holiday or on a worked Saturday; the counting rule of SPEC §5."""

from __future__ import annotations

import datetime
import random

import chinese_calendar
import pytest

from zhaoshang.workdays.models import Day
from zhaoshang.workdays.seed import CORRECTIONS
from zhaoshang.workdays.services import (
    OutOfCalendar,
    WorkdayDate,
    add_workdays,
    days_left,
    is_provisional,
    is_workday,
    next_workday,
    workdays_between,
)

D = datetime.date
pytestmark = pytest.mark.django_db

# The 2026 arrangement (国办发明电〔2025〕7号): 中秋节 25–27 September (Fri–Sun) and 国庆节
# 1–7 October are off; Sunday 20 September and Saturday 10 October are worked.


def test_the_arrangement_of_autumn_2026():
    assert is_workday(D(2026, 9, 20))  # a Sunday worked
    assert not is_workday(D(2026, 9, 25))  # 中秋节, a Friday
    assert not any(is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert is_workday(D(2026, 10, 10))  # a Saturday worked
    assert not is_workday(D(2026, 10, 11))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # across the whole National Day break
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the worked Saturday counts
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday + 1 = the worked Sunday
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # over 中秋节 and its weekend
        (D(2026, 9, 24), 3, D(2026, 9, 30)),
        (D(2026, 6, 15), 3, D(2026, 6, 18)),  # an ordinary week (Monday + 3)
        (D(2026, 6, 18), 3, D(2026, 6, 24)),  # over 端午节 (Friday 19 June) and the weekend
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # 春节: Saturday 14 February is worked
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # then 15–23 February are off
        (D(2026, 2, 24), 3, D(2026, 2, 27)),
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Saturday 28 February is worked too
    ],
)
def test_due_dates_across_holidays_and_weekends_worked(start, n, due):
    assert add_workdays(start, n) == WorkdayDate(due, False)
    assert workdays_between(start, due) == n


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2026, 10, 1), 1, D(2026, 10, 8)),  # the day of X is a holiday: it never counts
        (D(2026, 10, 3), 1, D(2026, 10, 8)),
        (D(2026, 10, 7), 3, D(2026, 10, 10)),
        (D(2026, 10, 4), 10, D(2026, 10, 20)),  # a Sunday inside the break; 10 October counts
        (D(2026, 2, 17), 3, D(2026, 2, 26)),  # 正月初一
    ],
)
def test_a_start_on_a_holiday(start, n, due):
    assert add_workdays(start, n).date == due


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2026, 10, 10), 1, D(2026, 10, 12)),  # the worked Saturday itself does not count
        (D(2026, 10, 10), 3, D(2026, 10, 14)),
        (D(2026, 9, 20), 1, D(2026, 9, 21)),  # the worked Sunday
        (D(2026, 9, 20), 5, D(2026, 9, 28)),  # … then 中秋节 (Friday 25) is skipped
    ],
)
def test_a_start_on_a_weekend_day_worked(start, n, due):
    assert add_workdays(start, n).date == due


def test_a_start_on_an_ordinary_weekend():
    assert add_workdays(D(2026, 6, 13), 1).date == D(2026, 6, 15)  # Saturday → Monday
    assert add_workdays(D(2026, 6, 14), 1).date == D(2026, 6, 15)


def test_zero_working_days_is_the_start_itself():
    assert add_workdays(D(2026, 10, 3), 0) == WorkdayDate(D(2026, 10, 3), False)
    assert add_workdays(D(2027, 3, 3), 0) == WorkdayDate(D(2027, 3, 3), False)


def test_between_is_antisymmetric_and_counts_after_d1_up_to_d2():
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert workdays_between(D(2026, 10, 8), D(2026, 9, 30)) == -1
    assert workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert workdays_between(D(2026, 10, 7), D(2026, 10, 1)) == 0
    assert workdays_between(D(2026, 6, 15), D(2026, 6, 15)) == 0
    assert workdays_between(D(2026, 6, 14), D(2026, 6, 15)) == 1  # Sunday → Monday
    assert workdays_between(D(2026, 6, 15), D(2026, 6, 14)) == -1
    rng = random.Random(5)
    for _ in range(50):
        a = D(2004, 1, 1) + datetime.timedelta(days=rng.randrange(9500))
        b = D(2004, 1, 1) + datetime.timedelta(days=rng.randrange(9500))
        assert workdays_between(a, b) == -workdays_between(b, a)


def test_a_whole_year_counts_its_working_days():
    worked_2026 = len(chinese_calendar.get_workdays(D(2026, 1, 1), D(2026, 12, 31)))
    assert workdays_between(D(2025, 12, 31), D(2026, 12, 31)) == worked_2026 == 248


def test_next_workday():
    assert next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    assert next_workday(D(2026, 10, 8)) == D(2026, 10, 8)
    assert next_workday(D(2026, 10, 10)) == D(2026, 10, 10)
    assert next_workday(D(2026, 10, 11)) == D(2026, 10, 12)


def test_agrees_with_a_day_by_day_count_over_the_seeded_years():
    """Random starts and limits, checked against walking chinese-calendar day by day (with
    the seed's correction of it, see seed.CORRECTIONS)."""

    def worked(day):
        if day in CORRECTIONS:
            return CORRECTIONS[day][0] == "workday"
        return chinese_calendar.is_workday(day)

    rng = random.Random(2026)
    for _ in range(300):
        start = D(2004, 1, 1) + datetime.timedelta(days=rng.randrange(8300))
        n = rng.choice([1, 2, 3, 5, 10, 15, 20, 60])
        day, left = start, n
        while left:
            day += datetime.timedelta(days=1)
            left -= worked(day)
        assert add_workdays(start, n) == WorkdayDate(day, False), (start, n)


def test_each_call_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_workdays(D(2026, 9, 30), 15)
    with django_assert_num_queries(1):
        workdays_between(D(2010, 1, 1), D(2026, 9, 30))
    with django_assert_num_queries(1):
        is_workday(D(2026, 9, 20))
    with django_assert_num_queries(1):
        next_workday(D(2026, 10, 1))
    with django_assert_num_queries(1):
        add_workdays(D(2004, 1, 2), 5000)  # as cheap far away


def test_days_left():
    today = D(2026, 9, 30)
    assert days_left(D(2026, 10, 8), today) == 1
    assert days_left(D(2026, 9, 30), today) == 0
    assert days_left(D(2026, 9, 29), today) == -1
    # Due on Thursday 18 June, today the 端午节 holiday: late, though no working day has
    # passed since; the same on the days off of 中秋节.
    assert days_left(D(2026, 6, 18), D(2026, 6, 19)) == -1
    assert days_left(D(2026, 9, 24), D(2026, 9, 26)) == -1
    assert days_left(D(2026, 9, 24), D(2026, 9, 28)) == -1
    assert days_left(D(2026, 9, 24), D(2026, 9, 29)) == -2


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(OutOfCalendar):
        add_workdays(D(2003, 12, 31), 1)
    with pytest.raises(OutOfCalendar):
        workdays_between(D(2026, 1, 1), D(2100, 1, 1))
    with pytest.raises(ValueError, match="0 or more"):
        add_workdays(D(2026, 1, 5), -1)
    with pytest.raises(TypeError):
        add_workdays(datetime.datetime(2026, 1, 5, 9), 1)
    assert not is_provisional(D(2004, 1, 1))


def test_the_index_is_continuous_and_counts_every_working_day():
    first = Day.objects.order_by("date").values_list("date", flat=True).first()
    last = Day.objects.order_by("-date").values_list("date", flat=True).first()
    assert first == D(2004, 1, 1)
    assert Day.objects.count() == (last - first).days + 1
    assert Day.objects.get(date=last).seq == Day.objects.filter(is_workday=True).count()
