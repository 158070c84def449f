"""What the three reports' figures share: number shapes, the as-of day and the progress
callback of a background job."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import DecimalField, Value
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.reports.choices import Period

Progress = Callable[[int], None]
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
CHUNK = 2000


def _noop(_percent: int) -> None:
    return None


def money(value) -> float:
    return round(float(value or 0), 2)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def as_of(period: Period) -> datetime.date:
    return min(period.end, clock.today())


def is_closed(period: Period) -> bool:
    """A period that has ended (before today): its figures are those of its last day, read
    from dated records and the lights' history, never from today's state."""
    return period.end < clock.today()


def reason_text(reason: dict) -> str:
    """One reason of a light (a signal, or a snapshot's record of one) as the reports
    write it: "what（department） due YYYY-MM-DD"."""
    who = f"（{reason['department']}）" if reason.get("department") else ""
    due = f" {_('due')} {reason['due_on']}" if reason.get("due_on") else ""
    return f"{reason['title']}{who}{due}"
