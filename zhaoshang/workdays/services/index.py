"""The working-day index (``Day``) and its upkeep: the check of a date the calendar can
answer, extending the index with provisional years, and rebuilding it from a year whose
arrangement changed (then the apps' recompute hooks run, ``settings.WORKDAY_RECOMPUTE_HOOKS``,
called as ``hook(years=[year])`` in the same transaction)."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Max
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.exceptions import DateOutOfRange
from zhaoshang.workdays import rules
from zhaoshang.workdays.choices import YearStatus
from zhaoshang.workdays.models import CalendarEntry, CalendarYear, Day
from zhaoshang.workdays.rules import EPOCH, LAST_DAY, ONE_DAY

YEARS_AHEAD = 3


class WorkdayDate(NamedTuple):
    """A computed date and whether it rests on a year without a published arrangement."""

    date: datetime.date
    provisional: bool


class OutOfCalendar(DateOutOfRange):
    """A date outside the calendar (before 2004-01-01 or after 2099-12-31); ``date`` is
    the date given (for a result past the end, the start it was counted from)."""


def check_day(day: datetime.date) -> None:
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise TypeError(f"a date is needed, not {day!r}")
    if not EPOCH <= day <= LAST_DAY:
        raise OutOfCalendar(
            _("%(date)s is outside the working-day calendar (%(first)s to %(last)s).")
            % {"date": day.isoformat(), "first": EPOCH.isoformat(), "last": LAST_DAY.isoformat()},
            date=day,
        )


def index_last() -> datetime.date | None:
    """The index's last day (read once per transaction: see ``kept``)."""
    kept = transaction_kept()
    if kept is None:
        return _read_last()
    if "last" not in kept:
        kept["last"] = _read_last()
    return kept["last"]


def _read_last() -> datetime.date | None:
    return Day.objects.aggregate(last=Max("date"))["last"]


# What a transaction has read of the index, kept on its connection until the transaction
# ends: its hooks list is new after every commit or rollback, and after rolling back to a
# savepoint (which may have undone an extension), so the list it was read under says
# whether it still holds. Writing the index here forgets it.
_KEPT = "_workday_index_kept"


def transaction_kept() -> dict | None:
    """A dict for what this transaction read of the index, or None outside a transaction
    (then every question reads the index)."""
    conn = connections[router.db_for_read(Day)]
    if not conn.in_atomic_block:
        return None
    kept = getattr(conn, _KEPT, None)
    if kept is None or kept["hooks"] is not conn.run_on_commit:
        kept = {"hooks": conn.run_on_commit}
        setattr(conn, _KEPT, kept)
    return kept


def forget_kept() -> None:
    """The index changed: what any transaction kept of it is read again."""
    for conn in connections.all(initialized_only=True):
        setattr(conn, _KEPT, None)


def lock_index() -> None:
    """Serialise index rebuilds between processes (PostgreSQL; SQLite serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5A5357444159])  # "ZSWDAY"


def ensure_range(until: datetime.date) -> None:
    """Make the index cover every day up to ``until`` (and at least three years past the
    current one), extending it with provisional years."""
    check_day(until)
    horizon = min(clock.today().year + YEARS_AHEAD, LAST_DAY.year)
    extend_index(max(until, datetime.date(horizon, 12, 31)))


def extend_index(until: datetime.date) -> bool:
    """Extend the index to cover ``until``; False when it already did (or cannot grow)."""
    last = index_last()
    if last is not None and until <= last:
        return False
    with transaction.atomic():
        lock_index()
        last = _read_last()
        if last is not None and until <= last:
            return False
        horizon = min(clock.today().year + YEARS_AHEAD, LAST_DAY.year)
        target = max(datetime.date(until.year, 12, 31), datetime.date(horizon, 12, 31))
        _rebuild(last + ONE_DAY if last else EPOCH, target)
    return True


def _rebuild(first: datetime.date, last: datetime.date) -> None:
    """Recompute the index rows from ``first`` to the end (at least ``last``). Day is not
    audited, so bulk statements are fine here."""
    forget_kept()
    old_last = _read_last()
    if old_last is not None:
        last = max(last, old_last)
    if first <= EPOCH:
        first, seq, provisional_seq = EPOCH, 0, 0
    else:
        seq, provisional_seq = Day.objects.values_list("seq", "provisional_seq").get(
            date=first - ONE_DAY
        )
    published: dict[int, dict[datetime.date, str]] = {
        year: {}
        for year in CalendarYear.objects.filter(
            status=YearStatus.PUBLISHED, year__range=(first.year, last.year)
        ).values_list("year", flat=True)
    }
    for year, day, kind in CalendarEntry.objects.filter(
        calendar_year__year__in=list(published)
    ).values_list("calendar_year__year", "date", "kind"):
        published[year][day] = kind
    Day.objects.filter(date__gte=first).delete()
    Day.objects.bulk_create(
        [
            Day(
                date=row.date,
                is_workday=row.is_workday,
                seq=row.seq,
                is_provisional=row.is_provisional,
                provisional_seq=row.provisional_seq,
            )
            for row in rules.day_rows(
                first,
                last,
                published,
                seq_before=seq,
                provisional_seq_before=provisional_seq,
            )
        ],
        batch_size=1000,
    )


def apply_year(year: int) -> None:
    """The year's arrangement changed in force: rebuild the index from it, then let the
    apps that keep computed dates recompute them (same transaction)."""
    extend_index(datetime.date(year, 12, 31))
    _rebuild(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    for path in getattr(settings, "WORKDAY_RECOMPUTE_HOOKS", []):
        import_string(path)(years=[year])
