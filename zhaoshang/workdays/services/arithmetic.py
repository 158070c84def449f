"""Working-day arithmetic (SPEC §5): every time limit of the platform goes through here.
The rule: "within N working days after X" ends on the N-th working day after the day of X;
the day of X never counts, whatever kind of day it is.

Each answer reads the working-day index (``Day``): one indexed query per call, whatever the
distance. Dates past the end of the index extend it with provisional years."""

from __future__ import annotations

import datetime

from django.db.models import Q, Subquery
from django.utils.translation import gettext as _

from zhaoshang.workdays.models import Day
from zhaoshang.workdays.rules import LAST_DAY
from zhaoshang.workdays.services.index import OutOfCalendar, WorkdayDate, check_day, extend_index


def add_workdays(start: datetime.date, n: int) -> WorkdayDate:
    """The n-th working day after ``start`` (``start`` itself never counts); n >= 0, and
    n == 0 gives ``start`` back. Provisional when any day after ``start`` up to the result
    lies in a year without a published arrangement."""
    check_day(start)
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number of working days, 0 or more, not {n!r}")
    if n == 0:
        return WorkdayDate(start, False)
    reach = start
    while True:
        start_seq = Subquery(Day.objects.filter(date=start).order_by().values("seq")[:1])
        rows = list(
            Day.objects.filter(Q(date=start) | Q(is_workday=True, seq=start_seq + n))
            .order_by()
            .values_list("date", "provisional_seq")
        )
        base = next((p for d, p in rows if d == start), None)
        found = next(((d, p) for d, p in rows if d != start), None)
        if base is not None and found is not None:
            return WorkdayDate(found[0], found[1] > base)
        if reach >= LAST_DAY:
            raise OutOfCalendar(
                _("%(n)s working days after %(date)s is past the end of the calendar.")
                % {"n": n, "date": start.isoformat()},
                date=start,
            )
        # Past the end of the index: extend it by more than the days n working days take.
        reach = min(reach + datetime.timedelta(days=n * 3 // 2 + 60), LAST_DAY)
        extend_index(reach)


def workdays_between(d1: datetime.date, d2: datetime.date) -> int:
    """The number of working days after ``d1`` up to and including ``d2``; negative when
    ``d2`` is before ``d1`` (``-workdays_between(d2, d1)``)."""
    check_day(d1)
    check_day(d2)
    for _attempt in range(2):
        seqs = dict(Day.objects.filter(date__in={d1, d2}).values_list("date", "seq"))
        if d1 in seqs and d2 in seqs:
            return seqs[d2] - seqs[d1]
        extend_index(max(d1, d2))
    raise OutOfCalendar(max(d1, d2).isoformat())  # pragma: no cover - extend_index covers it


def _row(day: datetime.date) -> tuple[bool, int, bool]:
    check_day(day)
    for _attempt in range(2):
        row = (
            Day.objects.filter(date=day).values_list("is_workday", "seq", "is_provisional").first()
        )
        if row is not None:
            return row
        extend_index(day)
    raise OutOfCalendar(day.isoformat())  # pragma: no cover


def is_workday(day: datetime.date) -> bool:
    """Whether ``day`` is a working day (with the provisional rule in unpublished years)."""
    return _row(day)[0]


def is_provisional(day: datetime.date) -> bool:
    """Whether ``day``'s year has no published arrangement, so that the provisional rule
    decides whether it is worked."""
    return _row(day)[2]


def seq_of(day: datetime.date) -> int:
    """The cumulative working-day number of ``day`` in the index (see ``Day``)."""
    return _row(day)[1]


def next_workday(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    check_day(day)
    reach = day
    while True:
        found = (
            Day.objects.filter(date__gte=day, is_workday=True)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        if found is not None:
            return found
        if reach >= LAST_DAY:
            raise OutOfCalendar(day.isoformat(), date=day)
        reach = min(reach + datetime.timedelta(days=60), LAST_DAY)
        extend_index(reach)


def days_left(due: datetime.date, today: datetime.date) -> int:
    """Working days from ``today`` to ``due``: 0 on the due date, negative once it has
    passed (at least -1 on the days off right after it). ``querysets.days_left_expression``
    computes the same in SQL."""
    left = workdays_between(today, due)
    return min(left, -1) if due < today else left
