"""The calendar's status and the admins' warning that next year's arrangement is not
published (from 1 November)."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.workdays.choices import YearStatus
from zhaoshang.workdays.models import CalendarYear
from zhaoshang.workdays.services.index import ensure_range

# From this day of the year (month, day) admins are warned that next year is not published.
WARN_FROM = (11, 1)


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


def forget_warning() -> None:
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
