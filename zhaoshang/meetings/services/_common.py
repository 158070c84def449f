"""The checks every meetings service shares: a date that has happened, a text that must be
written, a record of another district."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.core import clock

# The fields of an action item a caller gives (record_decision's rows, update_action_item).
ACTION_ITEM_FIELDS = (
    "title",
    "description",
    "owner_department",
    "owner_person",
    "due_on",
    "due_workdays",
    "start_on",
    "project",
)


def other_district() -> str:
    """The refusal of a record that belongs to another district."""
    return _("This record belongs to another district.")


def check_date(
    field: str,
    day: datetime.date | None,
    not_before: datetime.date | None = None,
    what: str = "",
) -> datetime.date:
    """A date of something that has happened: given, not in the future, not before
    ``not_before`` (``what`` names that earlier date in the message)."""
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > clock.today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and day < not_before:
        if what:
            message = _("The date cannot be before %(what)s (%(date)s).") % {
                "what": what,
                "date": not_before.isoformat(),
            }
        else:
            message = _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}
        raise ValidationError({field: message})
    return day


def required_text(field: str, value: str, message: str) -> str:
    """The text written in ``field``, stripped; refused with ``message`` when empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value
