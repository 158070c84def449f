"""What the three reports' figures share: number shapes, the as-of day and the progress
callback of a background job."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import DecimalField, Value

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
