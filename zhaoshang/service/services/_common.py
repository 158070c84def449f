"""The checks every service function of the app shares: a text within its limit, a date
that has happened, a record of the same district, a yearly number."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.models import Counter

TEXT_LIMIT = 4000


def checked_text(
    field: str, value, message: str, *, required: bool = True, limit: int = TEXT_LIMIT
):
    """The text of ``field``, stripped: refused with ``message`` when required and empty,
    and when longer than ``limit``."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError(
            {field: _("Keep this under %(limit)s characters.") % {"limit": limit}}
        )
    return value


def past_date(field: str, day, missing: str, future: str) -> datetime.date:
    """A date of something that has happened: given (``missing`` otherwise), not in the
    future (``future`` otherwise)."""
    if day is None:
        raise ValidationError({field: missing})
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise ValidationError({field: missing})
    if day > clock.today():
        raise ValidationError({field: future})
    return day


def same_district(field: str, obj, district_id) -> None:
    """Refuse a record of another district in ``field``."""
    if obj is not None and obj.district_id != district_id:
        raise ValidationError({field: _("This record belongs to another district.")})


def next_number(district, prefix: str, key: str, year: int) -> str:
    """HZ-2026-0001: per district and year, taken inside the caller's transaction."""
    value = Counter.next_value(district, f"{key}-{year}")
    return f"{prefix}-{year}-{value:04d}"
