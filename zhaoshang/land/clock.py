"""The national idle-land clock (闲置土地处置办法), in Python for one parcel and in SQL for
lists: a parcel handed to a project whose construction has not started by the agreed start
date is idle one year after that date (idle fee: 20% of the land price) and may be recovered
without compensation after two.

Periods are counted as the Civil Code counts them (民法典 §201–§202): a period of years ends
on the same day of the same month; a start date without that day in the final year (29
February) ends on the month's last day (28 February).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DateField, Func

from zhaoshang.land.choices import IDLE_AFTER_YEARS, IDLE_FEE_SHARE, RECOVER_AFTER_YEARS, Clock


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), capped at the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class AddYears(Func):
    """SQL: a date ``years`` later, with the same month-end rule as :func:`add_years` on
    SQLite and PostgreSQL."""

    output_field = DateField()

    def __init__(self, expression, years: int, **extra):
        self.years = int(years)
        super().__init__(expression, output_field=DateField(), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        n = self.years
        # SQLite rolls 2024-02-29 + 1 year over to 1 March: take February's last day.
        return (
            f"(CASE WHEN strftime('%%m-%%d', {sql}) = '02-29' "
            f"THEN date({sql}, 'start of month', '+{n} years', '+1 month', '-1 day') "
            f"ELSE date({sql}, '+{n} years') END)",
            (*params, *params, *params),
        )

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: adding an interval of years keeps the month's last day.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + interval '{self.years} years')::date", params


@dataclass(frozen=True)
class IdleClock:
    """The idle-land clock of one parcel on ``today``."""

    agreed_start_on: datetime.date | None
    idle_on: datetime.date | None
    recoverable_on: datetime.date | None
    state: str
    today: datetime.date
    land_price: Decimal | None = None

    @property
    def running(self) -> bool:
        return self.state != Clock.NONE

    @property
    def days_to_idle(self) -> int | None:
        """Days left before the parcel is idle (negative: days since)."""
        return (self.idle_on - self.today).days if self.idle_on else None

    @property
    def days_to_recoverable(self) -> int | None:
        return (self.recoverable_on - self.today).days if self.recoverable_on else None

    @property
    def idle_days_over(self) -> int | None:
        """Days since the parcel became idle (None before)."""
        days = self.days_to_idle
        return -days if days is not None and days < 0 else None

    @property
    def recoverable_days_over(self) -> int | None:
        days = self.days_to_recoverable
        return -days if days is not None and days < 0 else None

    @property
    def idle_fee(self) -> Decimal | None:
        """闲置费: 20% of the land price (10k yuan)."""
        if self.land_price is None:
            return None
        return (self.land_price * IDLE_FEE_SHARE).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def get_state_display(self) -> str:
        return str(Clock(self.state).label)


def clock_state(
    running: bool,
    idle_on: datetime.date | None,
    recoverable_on: datetime.date | None,
    today: datetime.date,
) -> str:
    if not running or idle_on is None:
        return Clock.NONE
    if recoverable_on is not None and recoverable_on <= today:
        return Clock.RECOVERABLE
    if idle_on <= today:
        return Clock.IDLE
    return Clock.RUNNING


def idle_dates(agreed_start_on: datetime.date | None):
    """(idle on, recoverable on) for an agreed start date."""
    if agreed_start_on is None:
        return None, None
    return (
        add_years(agreed_start_on, IDLE_AFTER_YEARS),
        add_years(agreed_start_on, RECOVER_AFTER_YEARS),
    )
