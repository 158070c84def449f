"""The range of dates the platform accepts from anybody (pages, API, imports).

Every date the platform stores can end up in working-day arithmetic — a time limit, a
light, an exit clock, the daily scan — and the working-day calendar covers 2004-01-01 to
2099-12-31 (``workdays.rules.EPOCH`` and ``LAST_DAY``; a test keeps the two in step, as
core imports no domain app). So a date from outside that span is refused where it enters,
as a 400 naming the field, instead of failing later in a service or the nightly scan.

A field that records history older than the calendar and never feeds a time limit (an
enterprise's date of establishment, say) may be declared historical: it then accepts
dates from 1949-10-01 on. The base form (``core.forms.BootstrapMixin``) and the API's base
serializers (``zhaoshang.api.serializers``) apply the range to every date and date-time
field, so a new form or resource is covered without code.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# The working-day calendar's span (workdays.rules.EPOCH .. LAST_DAY).
FIRST_DATE = datetime.date(2004, 1, 1)
LAST_DATE = datetime.date(2099, 12, 31)
# The earliest date a historical field accepts.
HISTORICAL_FIRST_DATE = datetime.date(1949, 10, 1)


@deconstructible
class DateRangeValidator:
    """Refuse a date (or the day of a date-time) outside ``first`` .. ``last``."""

    code = "date_out_of_range"

    def __init__(self, first: datetime.date = FIRST_DATE, last: datetime.date = LAST_DATE):
        self.first = first
        self.last = last

    def __call__(self, value) -> None:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            return
        if not self.first <= value <= self.last:
            raise ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {
                    "first": formats.date_format(self.first, "Y-m-d"),
                    "last": formats.date_format(self.last, "Y-m-d"),
                },
                code=self.code,
                params={"value": value},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator) and (self.first, self.last) == (
            other.first,
            other.last,
        )


CALENDAR_RANGE = DateRangeValidator()
HISTORICAL_RANGE = DateRangeValidator(HISTORICAL_FIRST_DATE, LAST_DATE)


def range_for(name: str, historical: Iterable[str] = ()) -> DateRangeValidator:
    """The range the field ``name`` accepts."""
    return HISTORICAL_RANGE if name in set(historical) else CALENDAR_RANGE


def bound_date_fields(fields, historical: Iterable[str] = ()) -> None:
    """Give every date and date-time field of ``fields`` (a form's or a serializer's
    fields, by name) its accepted range; idempotent."""
    from django import forms
    from rest_framework import serializers

    date_fields = (
        forms.DateField,
        forms.DateTimeField,
        serializers.DateField,
        serializers.DateTimeField,
    )
    for name, field in fields.items():
        if not isinstance(field, date_fields):
            continue
        validator = range_for(name, historical)
        if not any(v is validator for v in field.validators):
            field.validators = [*field.validators, validator]


def _holds(value, wanted: str) -> bool:
    if isinstance(value, str):
        return value == wanted or value.startswith(wanted + "T") or value.startswith(wanted + " ")
    if isinstance(value, dict):
        return any(_holds(v, wanted) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds(v, wanted) for v in value)
    return False


def out_of_range_errors(exc, *sources) -> dict[str, list[str]]:
    """``{field: [message]}`` for a ``core.exceptions.DateOutOfRange`` met while handling
    submitted data: the fields of ``sources`` (the body's and the query's mappings) that
    hold the date at fault, or ``non_field_errors`` when the date was derived from
    several of them."""
    message = str(exc)
    date = getattr(exc, "date", None)
    fields: list[str] = []
    if isinstance(date, datetime.date):
        wanted = date.isoformat()
        for source in sources:
            if hasattr(source, "lists"):
                items = source.lists()
            elif isinstance(source, dict):
                items = source.items()
            else:
                continue
            fields += [name for name, value in items if _holds(value, wanted)]
    return {name: [message] for name in dict.fromkeys(fields)} or {"non_field_errors": [message]}
