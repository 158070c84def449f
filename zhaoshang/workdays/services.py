"""Working-day arithmetic and the calendar's state changes (SPEC §5).

Every time limit of the platform goes through here. The rule: "within N working days
after X" ends on the N-th working day after the day of X; the day of X never counts,
whatever kind of day it is.

Arithmetic reads the working-day index (``Day``): one indexed query per call, whatever
the distance. Dates past the end of the index extend it (``ensure_range``) with
provisional years. Loading or publishing a year rebuilds the index from that year on and
calls the hooks in ``settings.WORKDAY_RECOMPUTE_HOOKS`` (dotted paths, called as
``hook(years=[year])`` in the same transaction) so that provisional due dates are
recomputed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q, Subquery
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import DateOutOfRange
from zhaoshang.workdays import rules
from zhaoshang.workdays.choices import EntryKind, YearSource, YearStatus
from zhaoshang.workdays.models import CalendarEntry, CalendarYear, Day
from zhaoshang.workdays.rules import EPOCH, LAST_DAY, ONE_DAY

# How many years past the current one the index always reaches.
YEARS_AHEAD = 3
# From this day of the year (month, day) admins are warned that next year is not published.
WARN_FROM = (11, 1)
NAME_MAX = 60


class WorkdayDate(NamedTuple):
    """A computed date and whether it rests on a year without a published arrangement."""

    date: datetime.date
    provisional: bool


class OutOfCalendar(DateOutOfRange):
    """A date outside the calendar (before 2004-01-01 or after 2099-12-31); ``date`` is
    the date given (for a result past the end, the start it was counted from)."""


# --- arithmetic -----------------------------------------------------------------------


def _check(day: datetime.date) -> None:
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise TypeError(f"a date is needed, not {day!r}")
    if not EPOCH <= day <= LAST_DAY:
        raise OutOfCalendar(
            _("%(date)s is outside the working-day calendar (%(first)s to %(last)s).")
            % {"date": day.isoformat(), "first": EPOCH.isoformat(), "last": LAST_DAY.isoformat()},
            date=day,
        )


def index_last() -> datetime.date | None:
    return Day.objects.aggregate(last=Max("date"))["last"]


def add_workdays(start: datetime.date, n: int) -> WorkdayDate:
    """The n-th working day after ``start`` (``start`` itself never counts); n >= 0, and
    n == 0 gives ``start`` back. Provisional when any day after ``start`` up to the result
    lies in a year without a published arrangement."""
    _check(start)
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
        _extend(reach)


def workdays_between(d1: datetime.date, d2: datetime.date) -> int:
    """The number of working days after ``d1`` up to and including ``d2``; negative when
    ``d2`` is before ``d1`` (``-workdays_between(d2, d1)``)."""
    _check(d1)
    _check(d2)
    for _attempt in range(2):
        seqs = dict(Day.objects.filter(date__in={d1, d2}).values_list("date", "seq"))
        if d1 in seqs and d2 in seqs:
            return seqs[d2] - seqs[d1]
        _extend(max(d1, d2))
    raise OutOfCalendar(max(d1, d2).isoformat())  # pragma: no cover - _extend covers it


def _row(day: datetime.date) -> tuple[bool, int, bool]:
    _check(day)
    for _attempt in range(2):
        row = (
            Day.objects.filter(date=day).values_list("is_workday", "seq", "is_provisional").first()
        )
        if row is not None:
            return row
        _extend(day)
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
    _check(day)
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
        _extend(reach)


def days_left(due: datetime.date, today: datetime.date) -> int:
    """Working days from ``today`` to ``due``: 0 on the due date, negative once it has
    passed (at least -1 on the days off right after it). ``querysets.days_left_expression``
    computes the same in SQL."""
    left = workdays_between(today, due)
    return min(left, -1) if due < today else left


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
        _check(first)
        _check(last)
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
        _check(start)
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
        _check(d1)
        _check(d2)
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
                _extend(last)
                return self._read(first, last)
        for row in rows:
            self._keep(*row)
        if self._hi < last:
            # The index ends at self._hi: the rest is provisional, as _extend would add it.
            self._past_index = True
            for row in rules.day_rows(
                self._hi + ONE_DAY,
                last,
                {},
                seq_before=self._seq[self._hi],
                provisional_seq_before=self._provisional_seq[self._hi],
            ):
                self._keep(row.date, row.is_workday, row.seq, row.provisional_seq)


# --- the index ------------------------------------------------------------------------


def _lock() -> None:
    """Serialise index rebuilds between processes (PostgreSQL; SQLite serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5A5357444159])  # "ZSWDAY"


def ensure_range(until: datetime.date) -> None:
    """Make the index cover every day up to ``until`` (and at least three years past the
    current one), extending it with provisional years."""
    _check(until)
    horizon = min(clock.today().year + YEARS_AHEAD, LAST_DAY.year)
    _extend(max(until, datetime.date(horizon, 12, 31)))


def _extend(until: datetime.date) -> bool:
    """Extend the index to cover ``until``; False when it already did (or cannot grow)."""
    last = index_last()
    if last is not None and until <= last:
        return False
    with transaction.atomic():
        _lock()
        last = index_last()
        if last is not None and until <= last:
            return False
        horizon = min(clock.today().year + YEARS_AHEAD, LAST_DAY.year)
        target = max(datetime.date(until.year, 12, 31), datetime.date(horizon, 12, 31))
        _rebuild(last + ONE_DAY if last else EPOCH, target)
    return True


def _rebuild(first: datetime.date, last: datetime.date) -> None:
    """Recompute the index rows from ``first`` to the end (at least ``last``). Day is not
    audited, so bulk statements are fine here."""
    old_last = index_last()
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


def _apply(year: int) -> None:
    """The year's arrangement changed in force: rebuild the index from it, then let the
    apps that keep computed dates recompute them (same transaction)."""
    _extend(datetime.date(year, 12, 31))
    _rebuild(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    for path in getattr(settings, "WORKDAY_RECOMPUTE_HOOKS", []):
        import_string(path)(years=[year])


# --- loading years --------------------------------------------------------------------


class Problem(NamedTuple):
    """A bad entry: its position (a file's line number, or the entry's number) and why."""

    position: int | None
    message: str


def check_entries(
    year: int, entries: Iterable[tuple[int, object, object, object]], *, unit: str = "entry"
) -> list[Problem]:
    """What is wrong with a year's entries, each given as (position, date, kind, name);
    ``unit`` says what a position counts: a file's "line" or an "entry"."""
    problems: list[Problem] = []
    if not EPOCH.year <= year <= LAST_DAY.year:
        problems.append(
            Problem(
                None,
                _("%(year)s is outside the calendar (%(first)s–%(last)s).")
                % {"year": year, "first": EPOCH.year, "last": LAST_DAY.year},
            )
        )
    seen: dict[datetime.date, int] = {}
    for position, day, kind, name in entries:
        if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
            problems.append(Problem(position, _("“%(value)s” is not a date.") % {"value": day}))
            continue
        if day.year != year:
            problems.append(
                Problem(
                    position,
                    _(
                        "%(date)s is in %(other)s, but the arrangement is for %(year)s: "
                        "one year at a time."
                    )
                    % {"date": day.isoformat(), "other": day.year, "year": year},
                )
            )
        if day in seen:
            first = seen[day]
            message = (
                _("duplicate date %(date)s (as on line %(first)s).")
                if unit == "line"
                else _("duplicate date %(date)s (as entry %(first)s).")
            )
            problems.append(Problem(position, message % {"date": day.isoformat(), "first": first}))
        else:
            seen[day] = position
        if kind not in EntryKind.values:
            problems.append(
                Problem(
                    position,
                    _("unknown kind “%(kind)s” (use holiday or workday).") % {"kind": kind},
                )
            )
        if not isinstance(name, str) or len(name) > NAME_MAX:
            problems.append(
                Problem(
                    position,
                    _("the name must be text of at most %(max)s characters.") % {"max": NAME_MAX},
                )
            )
    return problems


def _raise_problems(problems: Sequence[Problem]) -> None:
    raise ValidationError(
        [
            _("entry %(n)s: %(message)s") % {"n": p.position, "message": p.message}
            if p.position is not None
            else p.message
            for p in problems
        ]
    )


def _actor(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def load_year(
    year: int,
    entries: list[tuple[datetime.date, str, str]],
    *,
    notice: str,
    status: str,
    user=None,
    source: str = YearSource.IMPORT,
    title: str = "",
) -> CalendarYear:
    """Load (or replace) a year's arrangement: ``entries`` are (date, kind, name) with kind
    "holiday" or "workday" (a weekend day worked). All or nothing. A published year is in
    force at once: the index is rebuilt from it and the recompute hooks are called; a
    draft is kept aside until ``publish_year``. A published year is never turned back
    into a draft."""
    entries = [tuple(e) for e in entries]
    problems = [
        Problem(n, _("expected (date, kind, name)."))
        for n, e in enumerate(entries, 1)
        if len(e) != 3
    ]
    problems += check_entries(year, [(n, *e) for n, e in enumerate(entries, 1) if len(e) == 3])
    if problems:
        _raise_problems(problems)
    if status not in YearStatus.values:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": status}})
    if source not in YearSource.values:
        raise ValidationError({"source": _("Unknown source “%(source)s”.") % {"source": source}})
    _lock()
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if calendar_year and calendar_year.is_published and status == YearStatus.DRAFT:
        raise ValidationError(
            {
                "status": _(
                    "%(year)s is published: load a corrected arrangement as published, not "
                    "as a draft."
                )
                % {"year": year}
            }
        )
    now = clock.now()
    calendar_year = calendar_year or CalendarYear(year=year)
    calendar_year.status = status
    calendar_year.notice = (notice or "")[:120]
    calendar_year.notice_title = (title or "")[:200]
    calendar_year.source = source
    calendar_year.loaded_at = now
    calendar_year.loaded_by = _actor(user)
    calendar_year.published_at = now if status == YearStatus.PUBLISHED else None
    calendar_year._history_user = _actor(user)
    calendar_year.save()
    _replace_entries(calendar_year, entries, user)
    log_event(
        user,
        "calendar.year_loaded",
        calendar_year,
        summary=f"{year} {calendar_year.get_status_display()} {notice}".strip(),
        year=year,
        status=status,
        entries=len(entries),
        notice=notice,
        source=source,
    )
    if status == YearStatus.PUBLISHED:
        _apply(year)
    _forget_warning()
    return calendar_year


def _replace_entries(calendar_year: CalendarYear, entries, user) -> None:
    """Make the year's entries exactly ``entries``, saving only what changed (one history
    record per changed entry)."""
    existing = {e.date: e for e in calendar_year.entries.all()}
    wanted = {day: (kind, name or "") for day, kind, name in entries}
    for day, entry in existing.items():
        if day not in wanted:
            entry._history_user = _actor(user)
            entry.delete()
    for day, (kind, name) in sorted(wanted.items()):
        entry = existing.get(day) or CalendarEntry(calendar_year=calendar_year, date=day)
        if entry.pk and (entry.kind, entry.name) == (kind, name):
            continue
        entry.kind, entry.name = kind, name
        entry._history_user = _actor(user)
        entry.save()


@transaction.atomic
def publish_year(year: int, *, user=None) -> CalendarYear:
    """Put a draft year in force: rebuild the index from it and call the recompute hooks."""
    _lock()
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if calendar_year is None:
        raise ValidationError(_("No arrangement is loaded for %(year)s.") % {"year": year})
    if calendar_year.is_published:
        raise ValidationError(_("%(year)s is already published.") % {"year": year})
    calendar_year.status = YearStatus.PUBLISHED
    calendar_year.published_at = clock.now()
    calendar_year._history_user = _actor(user)
    calendar_year.save(update_fields=["status", "published_at"])
    log_event(
        user,
        "calendar.year_published",
        calendar_year,
        summary=f"{year} {calendar_year.notice}".strip(),
        year=year,
    )
    _apply(year)
    _forget_warning()
    return calendar_year


@transaction.atomic
def year_edited(calendar_year: CalendarYear, *, user=None) -> None:
    """After a year or its entries were edited in the Django admin: a published year is
    put in force again (index and hooks)."""
    if calendar_year.is_published:
        if calendar_year.published_at is None:
            calendar_year.published_at = clock.now()
            calendar_year._history_user = _actor(user)
            calendar_year.save(update_fields=["published_at"])
        _lock()
        _apply(calendar_year.year)
    log_event(
        user,
        "calendar.year_edited",
        calendar_year,
        summary=f"{calendar_year.year} {calendar_year.get_status_display()}",
        year=calendar_year.year,
        status=calendar_year.status,
    )
    _forget_warning()


# --- importing a file -----------------------------------------------------------------


class CalendarImportError(Exception):
    """A file that cannot be loaded; ``problems`` name the lines and the reasons."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
KINDS = {EntryKind.HOLIDAY.value, EntryKind.WORKDAY.value}


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), else GB 18030 (what a
    spreadsheet saves as CSV on a Chinese desktop)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarImportError([Problem(None, _("The file is not text (UTF-8 or GB 18030)."))])


def parse_csv(text: str) -> tuple[int | None, list[tuple[datetime.date, str, str]]]:
    """Read a year's arrangement from CSV lines ``date,kind,name`` (an optional header line
    ``date,kind,name``; blank lines are skipped). Raises CalendarImportError naming every
    bad line; returns (year, entries) otherwise."""
    problems: list[Problem] = []
    rows: list[tuple[int, datetime.date, str, str]] = []
    reader = csv.reader(io.StringIO(text))
    seen_content = False
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            while len(cells) > 3 and not cells[-1]:  # a spreadsheet's trailing commas
                cells.pop()
            if not seen_content and cells[0].lower().lstrip("\ufeff") == "date":
                seen_content = True
                continue
            seen_content = True
            if len(cells) not in (2, 3):
                problems.append(
                    Problem(
                        line,
                        _("expected three fields date,kind,name; found %(n)s.") % {"n": len(cells)},
                    )
                )
                continue
            raw_date, kind, name = (*cells, "")[:3]
            day = None
            match = _DATE.match(raw_date)
            if match:
                try:
                    day = datetime.date(*(int(g) for g in match.groups()))
                except ValueError:
                    day = None
            if day is None:
                problems.append(
                    Problem(
                        line,
                        _("bad date “%(value)s” (use YYYY-MM-DD).") % {"value": raw_date},
                    )
                )
            if kind.lower() not in KINDS:
                problems.append(
                    Problem(
                        line,
                        _("unknown kind “%(kind)s” (use holiday or workday).") % {"kind": kind},
                    )
                )
            if day is not None and kind.lower() in KINDS:
                rows.append((line, day, kind.lower(), name))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, _("unreadable CSV: %(error)s") % {"error": exc}))
    if not rows and not problems:
        problems.append(Problem(None, _("The file holds no entries.")))
    year = rows[0][1].year if rows else None
    if year is not None:
        problems.extend(check_entries(year, rows, unit="line"))
    if problems:
        problems.sort(key=lambda p: p.position or 0)
        raise CalendarImportError(problems)
    return year, [(day, kind, name) for _line, day, kind, name in rows]


def import_csv(
    data: bytes, *, notice: str = "", title: str = "", draft: bool = False, user=None
) -> CalendarYear:
    """Load a year from a CSV file (bytes): all or nothing; published unless ``draft``."""
    year, entries = parse_csv(decode(data))
    try:
        return load_year(
            year,
            entries,
            notice=notice,
            title=title,
            status=YearStatus.DRAFT if draft else YearStatus.PUBLISHED,
            user=user,
            source=YearSource.IMPORT,
        )
    except ValidationError as exc:
        raise CalendarImportError([Problem(None, m) for m in exc.messages]) from exc


# --- status and the admins' warning ---------------------------------------------------


def unpublished_next_year(today: datetime.date | None = None) -> int | None:
    """From 1 November, next year when its arrangement is not published (else None)."""
    today = today or clock.today()
    if (today.month, today.day) < WARN_FROM:
        return None
    year = today.year + 1
    published = CalendarYear.objects.filter(year=year, status=YearStatus.PUBLISHED).exists()
    return None if published else year


def _warning_key(today: datetime.date) -> str:
    return f"workdays:unpublished-next-year:{today.isoformat()}"


def cached_unpublished_next_year(today: datetime.date | None = None) -> int | None:
    """``unpublished_next_year`` for the banner on every admin page: before November no
    query at all, then one query per process every five minutes (loading a year clears
    it here; other processes see it within five minutes)."""
    today = today or clock.today()
    if (today.month, today.day) < WARN_FROM:
        return None
    key = _warning_key(today)
    value = cache.get(key)
    if value is None:
        value = unpublished_next_year(today) or 0
        cache.set(key, value, 300)
    return value or None


def _forget_warning() -> None:
    key = _warning_key(clock.today())
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def warning_text(year: int) -> str:
    return _(
        "The %(year)s holiday arrangement is not published: due dates in %(year)s are "
        "provisional. Import it as soon as the State Council publishes it."
    ) % {"year": year}


def status_lines(today: datetime.date | None = None) -> list[str]:
    """``workdays status``: one line per loaded year (``YEAR loaded`` or ``YEAR draft``),
    ``YEAR missing`` for the years around today without an arrangement, and from
    1 November the warning when next year is not published."""
    today = today or clock.today()
    ensure_range(today)
    statuses = dict(CalendarYear.objects.values_list("year", "status"))
    first = min([*statuses, today.year])
    last = max([*statuses, today.year + 1])
    lines = []
    for year in range(first, last + 1):
        status = statuses.get(year)
        word = {YearStatus.PUBLISHED: "loaded", YearStatus.DRAFT: "draft"}.get(status, "missing")
        lines.append(f"{year} {word}")
    year = unpublished_next_year(today)
    if year:
        lines.append(_("warning: %(text)s") % {"text": warning_text(year)})
    return lines
