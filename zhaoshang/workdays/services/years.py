"""Loading, publishing and editing a year's holiday arrangement (部分节假日安排): all or
nothing; a published year is in force at once (the index is rebuilt from it and the
recompute hooks run)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import raise_errors
from zhaoshang.workdays.choices import EntryKind, YearSource, YearStatus
from zhaoshang.workdays.models import CalendarEntry, CalendarYear
from zhaoshang.workdays.rules import EPOCH, LAST_DAY
from zhaoshang.workdays.services.index import apply_year, lock_index
from zhaoshang.workdays.services.warning import forget_warning

NAME_MAX = 60


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


def _problem_messages(problems: Sequence[Problem]) -> list[str]:
    return [
        _("entry %(n)s: %(message)s") % {"n": p.position, "message": p.message}
        if p.position is not None
        else p.message
        for p in problems
    ]


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
    # Every problem at once: the entries' (not tied to one field), the status and the source.
    errors: dict = {}
    if problems:
        errors[NON_FIELD_ERRORS] = _problem_messages(problems)
    if status not in YearStatus.values:
        errors["status"] = [_("Unknown status “%(status)s”.") % {"status": status}]
    if source not in YearSource.values:
        errors["source"] = [_("Unknown source “%(source)s”.") % {"source": source}]
    raise_errors(errors)
    lock_index()
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
        apply_year(year)
    forget_warning()
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
    lock_index()
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
    apply_year(year)
    forget_warning()
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
        lock_index()
        apply_year(calendar_year.year)
    log_event(
        user,
        "calendar.year_edited",
        calendar_year,
        summary=f"{calendar_year.year} {calendar_year.get_status_display()}",
        year=calendar_year.year,
        status=calendar_year.status,
    )
    forget_warning()
