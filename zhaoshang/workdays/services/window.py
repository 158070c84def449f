"""The working-day index read once for a span of dates (``CalendarWindow``), for a page
or a job that computes dates for many rows."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from zhaoshang.workdays import rules
from zhaoshang.workdays.models import Day
from zhaoshang.workdays.rules import EPOCH, LAST_DAY, ONE_DAY
from zhaoshang.workdays.services.index import (
    OutOfCalendar,
    WorkdayDate,
    check_day,
    extend_index,
    transaction_kept,
)


class CalendarWindow:
    """The working-day index read once for a span of dates, answering ``add_workdays``,
    ``workdays_between`` and ``days_left`` in Python with the same results and the same
    errors as the functions of this module: for a page or a job that computes dates for
    many rows, one query instead of one per row.

    ``first`` and ``last`` say which days the caller expects to need; the index is read
    for them on the first question (so an unused window costs nothing). A question
    outside the span reads the missing days in one more query, at least a year of them.
    Past the end of the index the days are computed here with the provisional rule
    (``rules.day_rows``), exactly as extending the index would write them — the index
    always covers every published year, since loading or publishing one extends it —
    but nothing is written: reading a page does not grow the table.
    """

    # How far ahead a question past the span reads at once.
    READ_AHEAD = datetime.timedelta(days=366)

    def __init__(self, first: datetime.date, last: datetime.date):
        check_day(first)
        check_day(last)
        self._hint = (min(first, last), max(first, last))
        self._lo: datetime.date | None = None  # the days in memory: lo..hi, no gaps
        self._hi: datetime.date | None = None
        self._seq: dict[datetime.date, int] = {}
        self._provisional_seq: dict[datetime.date, int] = {}
        self._workday_of_seq: dict[int, datetime.date] = {}
        self._past_index = False  # whether the days in memory run past the index's end

    # -- the module's arithmetic ------------------------------------------------------

    def add_workdays(self, start: datetime.date, n: int) -> WorkdayDate:
        """As ``services.add_workdays``."""
        check_day(start)
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a whole number of working days, 0 or more, not {n!r}")
        if n == 0:
            return WorkdayDate(start, False)
        self._cover(start, start)
        target = self._seq[start] + n
        while target not in self._workday_of_seq:
            if self._hi >= LAST_DAY:
                raise OutOfCalendar(
                    _("%(n)s working days after %(date)s is past the end of the calendar.")
                    % {"n": n, "date": start.isoformat()},
                    date=start,
                )
            reach = start + datetime.timedelta(days=n * 3 // 2)
            self._cover(start, min(max(reach, self._hi + ONE_DAY), LAST_DAY))
        found = self._workday_of_seq[target]
        return WorkdayDate(found, self._provisional_seq[found] > self._provisional_seq[start])

    def workdays_between(self, d1: datetime.date, d2: datetime.date) -> int:
        """As ``services.workdays_between``."""
        check_day(d1)
        check_day(d2)
        self._cover(min(d1, d2), max(d1, d2))
        return self._seq[d2] - self._seq[d1]

    def days_left(self, due: datetime.date, today: datetime.date) -> int:
        """As ``services.days_left``."""
        left = self.workdays_between(today, due)
        return min(left, -1) if due < today else left

    @property
    def reaches_past_index(self) -> bool:
        """Whether some answer was computed past the end of the index (a caller storing
        such a date extends the index with ``ensure_range`` so that SQL can count it)."""
        return self._past_index

    # -- reading ----------------------------------------------------------------------

    def _cover(self, first: datetime.date, last: datetime.date) -> None:
        """Have every day from ``first`` to ``last`` in memory (and the hinted span)."""
        if self._lo is None:
            first, last = min(first, self._hint[0]), max(last, self._hint[1])
            self._read(first, last)
            return
        # Past the days in memory, read a year at a time: questions near each other
        # then cost one read between them, not one each.
        if first < self._lo:
            self._read(max(min(first, self._lo - self.READ_AHEAD), EPOCH), self._lo - ONE_DAY)
        if last > self._hi:
            self._read(self._hi + ONE_DAY, min(max(last, self._hi + self.READ_AHEAD), LAST_DAY))

    def _keep(self, day: datetime.date, is_workday: bool, seq: int, provisional_seq: int):
        self._seq[day] = seq
        self._provisional_seq[day] = provisional_seq
        if is_workday:
            self._workday_of_seq[seq] = day
        self._lo = day if self._lo is None else min(self._lo, day)
        self._hi = day if self._hi is None else max(self._hi, day)

    def _read(self, first: datetime.date, last: datetime.date) -> None:
        """Read the days ``first``..``last``, next to the days in memory (or the first
        read); what lies past the end of the index is computed."""
        rows = []
        if not (self._past_index and first > self._hi):
            rows = list(
                Day.objects.filter(date__range=(first, last))
                .order_by("date")
                .values_list("date", "is_workday", "seq", "provisional_seq")
            )
        if not rows and self._hi is None:
            # Nothing of the span is indexed: start from the index's last day.
            rows = list(
                Day.objects.order_by("-date").values_list(
                    "date", "is_workday", "seq", "provisional_seq"
                )[:1]
            )
            if not rows:  # an empty index (never after the seed migration): build it
                extend_index(last)
                return self._read(first, last)
        for row in rows:
            self._keep(*row)
        if self._hi < last:
            # The index ends at self._hi: the rest is provisional, as extend_index would add it.
            self._past_index = True
            for row in rules.day_rows(
                self._hi + ONE_DAY,
                last,
                {},
                seq_before=self._seq[self._hi],
                provisional_seq_before=self._provisional_seq[self._hi],
            ):
                self._keep(row.date, row.is_workday, row.seq, row.provisional_seq)


def transaction_window(first: datetime.date, last: datetime.date):
    """The index as this transaction has read it: one ``CalendarWindow`` for the rest of
    the transaction (``first``..``last``: the span read first), so that a transaction
    computing many dates reads the index once; read again after the index is written or
    a savepoint is rolled back. Outside a transaction, the module's functions (one query
    each). A caller storing a date counted past the end of the index
    (``reaches_past_index``) extends it with ``ensure_range``."""
    from zhaoshang.workdays import services

    kept = transaction_kept()
    if kept is None:
        return services
    if "window" not in kept:
        kept["window"] = CalendarWindow(first, last)
    return kept["window"]
