"""Dates for the demo's parts: months, and the working-day index in memory to choose dates
(the due dates themselves always come from the services)."""

from __future__ import annotations

import datetime

from zhaoshang.workdays import services as workdays
from zhaoshang.workdays.models import Day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(count)]


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


class Calendar:
    """The working-day index of ``first`` … ``last``."""

    def __init__(self, first: datetime.date, last: datetime.date):
        workdays.ensure_range(last)
        days = Day.objects.filter(date__range=(first, last))
        self.seq, self.work, self.by_seq = {}, {}, {}
        for day, is_workday, seq in days.values_list("date", "is_workday", "seq"):
            self.seq[day], self.work[day] = seq, is_workday
            if is_workday:
                self.by_seq[seq] = day

    def after(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``day`` (``day`` itself for n == 0)."""
        return day if n == 0 else self.by_seq[self.seq[day] + n]

    def before(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day before ``day`` (n >= 1)."""
        return self.by_seq[self.seq[day] - n + (0 if self.work[day] else 1)]

    def between(self, a: datetime.date, b: datetime.date) -> int:
        return self.seq[b] - self.seq[a]

    def on_or_after(self, day: datetime.date) -> datetime.date:
        return day if self.work[day] else self.after(day, 1)

    def left(self, due: datetime.date, today: datetime.date) -> int:
        left = self.seq[due] - self.seq[today]
        return min(left, -1) if due < today else left
