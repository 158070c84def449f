"""``CalendarWindow``: the index read once for many questions gives the answers (and the
errors) of ``add_workdays``, ``workdays_between`` and ``days_left`` — across holidays,
weekends worked, the turn into a year without a published arrangement and past the end of
the index, where it computes the provisional rule instead of writing rows."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.workdays.models import Day
from zhaoshang.workdays.rules import LAST_DAY
from zhaoshang.workdays.services import (
    CalendarWindow,
    OutOfCalendar,
    add_workdays,
    days_left,
    index_last,
    load_year,
    workdays_between,
)

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db

# Days the 2026 arrangement changes (国办发明电〔2025〕7号) and the turn into 2027, which
# is not published: holidays, weekends worked, the days around them.
AWKWARD = [
    D(2026, 1, 1),
    D(2026, 1, 4),  # a Sunday worked after 元旦
    D(2026, 2, 13),
    D(2026, 2, 14),  # a Saturday worked before 春节
    D(2026, 2, 15),
    D(2026, 2, 23),
    D(2026, 2, 28),  # a Saturday worked after 春节
    D(2026, 6, 18),
    D(2026, 6, 19),  # 端午节
    D(2026, 9, 20),  # a Sunday worked
    D(2026, 9, 25),  # 中秋节
    D(2026, 9, 30),
    D(2026, 10, 1),
    D(2026, 10, 7),
    D(2026, 10, 10),  # a Saturday worked
    D(2026, 12, 25),
    D(2026, 12, 31),
    D(2027, 1, 1),  # provisional from here
    D(2027, 2, 5),  # 除夕 2027 under the provisional rule
    D(2027, 12, 31),
]


def _questions(seed: int, first: datetime.date, last: datetime.date, count: int):
    rng = random.Random(seed)
    span = (last - first).days
    starts = AWKWARD + [first + rng.randrange(span + 1) * ONE_DAY for _ in range(count)]
    starts = [s for s in starts if first <= s <= last]
    pairs = [(s, rng.choice([0, 1, 2, 3, 5, 10, 15, 20, 45, 60, 130])) for s in starts]
    spans = [(s, s + rng.randrange(-90, 400) * ONE_DAY) for s in starts]
    return pairs, spans


def _answers(calendar, pairs, spans):
    return (
        [calendar.add_workdays(s, n) for s, n in pairs],
        [calendar.workdays_between(a, b) for a, b in spans],
        [calendar.days_left(b, a) for a, b in spans],
    )


class _Services:
    """The module's functions, asked the same way."""

    add_workdays = staticmethod(add_workdays)
    workdays_between = staticmethod(workdays_between)
    days_left = staticmethod(days_left)


def test_the_window_gives_the_answers_of_the_services():
    pairs, spans = _questions(2026, D(2025, 10, 1), D(2027, 12, 31), 400)
    window = CalendarWindow(D(2025, 10, 1), D(2027, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        mine = _answers(window, pairs, spans)
    expected = _answers(_Services, pairs, spans)
    assert mine == expected
    # Across 调休 and into the unpublished year, with its provisional flag.
    assert window.add_workdays(D(2026, 2, 13), 1) == add_workdays(D(2026, 2, 13), 1)
    assert window.add_workdays(D(2026, 12, 30), 3).provisional
    assert not window.add_workdays(D(2026, 12, 1), 3).provisional
    # Hundreds of questions, a handful of reads: the span, then a year at a time on
    # either side as far as the questions reach (three months before, 13 after).
    assert len(queries.captured_queries) <= 4


def test_every_start_of_two_years_with_short_and_long_limits():
    first, last = D(2025, 12, 1), D(2027, 1, 31)
    window = CalendarWindow(first, last)
    day = first
    while day <= last:
        for n in (1, 3, 10, 45):
            assert window.add_workdays(day, n) == add_workdays(day, n), (day, n)
        assert window.workdays_between(day, last) == workdays_between(day, last)
        day += ONE_DAY


def test_a_question_outside_the_span_reads_the_missing_days_once():
    window = CalendarWindow(D(2026, 6, 1), D(2026, 6, 30))
    with CaptureQueriesContext(connection) as queries:
        window.workdays_between(D(2026, 6, 1), D(2026, 6, 30))
        window.workdays_between(D(2026, 6, 3), D(2026, 6, 20))
    assert len(queries.captured_queries) == 1
    expected = workdays_between(D(2020, 1, 1), D(2026, 6, 1)), add_workdays(D(2026, 6, 30), 200)
    with CaptureQueriesContext(connection) as queries:
        assert window.workdays_between(D(2020, 1, 1), D(2026, 6, 1)) == expected[0]
        assert window.add_workdays(D(2026, 6, 30), 200) == expected[1]
    assert len(queries.captured_queries) == 2
    # What those reads brought in answers the next questions nearby without a query.
    with CaptureQueriesContext(connection) as queries:
        window.workdays_between(D(2020, 3, 1), D(2027, 5, 1))
        window.add_workdays(D(2026, 9, 30), 30)
    assert not queries.captured_queries


def test_an_unused_window_reads_nothing():
    with CaptureQueriesContext(connection) as queries:
        CalendarWindow(D(2026, 1, 1), D(2026, 12, 31))
    assert not queries.captured_queries


def test_past_the_end_of_the_index_the_rule_is_computed_and_nothing_written():
    end = index_last()
    assert end == D(2029, 12, 31)
    rows = Day.objects.count()
    pairs, spans = _questions(2029, D(2029, 6, 1), D(2031, 6, 30), 150)
    pairs += [(D(2029, 12, 28), 3), (D(2029, 12, 31), 1), (D(2030, 2, 1), 45)]
    spans += [(D(2029, 12, 31), D(2030, 1, 2)), (D(2031, 6, 30), D(2029, 1, 1))]
    window = CalendarWindow(D(2029, 6, 1), D(2029, 12, 31))
    mine = _answers(window, pairs, spans)
    assert window.reaches_past_index
    assert any(r.date.year >= 2031 for r in mine[0])
    assert all(
        r.provisional for (s, n), r in zip(pairs, mine[0], strict=True) if s.year >= 2030 and n
    )
    assert (index_last(), Day.objects.count()) == (end, rows)  # nothing written
    assert _answers(_Services, pairs, spans) == mine  # the services extend the index
    assert index_last() > end
    # A window entirely past the index's end, made before the index grew, agrees too.
    Day.objects.filter(date__gt=end).delete()
    later = CalendarWindow(D(2031, 3, 1), D(2031, 3, 31))
    assert later.add_workdays(D(2031, 3, 3), 30) == add_workdays(D(2031, 3, 3), 30)
    assert later.workdays_between(D(2030, 1, 1), D(2031, 3, 3)) == workdays_between(
        D(2030, 1, 1), D(2031, 3, 3)
    )


def test_a_published_year_counts_in_the_window_as_in_the_services():
    # 2027 published with a holiday on a Monday and a Saturday worked.
    load_year(
        2027,
        [
            (D(2027, 1, 1), "holiday", "元旦"),
            (D(2027, 1, 4), "holiday", "元旦"),
            (D(2027, 1, 9), "workday", "元旦"),
        ],
        notice="test",
        status="published",
    )
    pairs, spans = _questions(2027, D(2026, 12, 1), D(2028, 1, 31), 200)
    window = CalendarWindow(D(2026, 12, 1), D(2028, 1, 31))
    assert _answers(window, pairs, spans) == _answers(_Services, pairs, spans)
    assert window.add_workdays(D(2026, 12, 31), 2) == add_workdays(D(2026, 12, 31), 2)
    assert not window.add_workdays(D(2026, 12, 31), 2).provisional
    assert window.add_workdays(D(2027, 12, 30), 3).provisional  # into 2028


def test_the_same_errors_as_the_services():
    window = CalendarWindow(D(2026, 1, 1), D(2026, 12, 31))
    for calendar in (window, _Services):
        with pytest.raises(OutOfCalendar):
            calendar.add_workdays(D(2003, 12, 31), 1)
        with pytest.raises(OutOfCalendar):
            calendar.workdays_between(D(2026, 1, 1), D(2100, 1, 1))
        with pytest.raises(ValueError, match="0 or more"):
            calendar.add_workdays(D(2026, 1, 5), -1)
        with pytest.raises(ValueError, match="0 or more"):
            calendar.add_workdays(D(2026, 1, 5), 1.5)
        with pytest.raises(TypeError):
            calendar.add_workdays(datetime.datetime(2026, 1, 5, 9), 1)
        assert calendar.add_workdays(D(2026, 10, 3), 0) == (D(2026, 10, 3), False)
    with pytest.raises(TypeError):
        CalendarWindow(datetime.datetime(2026, 1, 1, 9), D(2026, 1, 2))
    rows = Day.objects.count()
    with pytest.raises(OutOfCalendar, match="past the end of the calendar"):
        window.add_workdays(D(2099, 12, 1), 60)
    assert Day.objects.count() == rows
    with pytest.raises(OutOfCalendar, match="past the end of the calendar"):
        add_workdays(D(2099, 12, 1), 60)
    assert window.add_workdays(D(2099, 12, 1), 10) == add_workdays(D(2099, 12, 1), 10)
    assert index_last() == LAST_DAY
