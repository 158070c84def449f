"""The one clock of the product: ``today()`` and ``now()`` in the district's time zone.

Every service, page and job asks this module for the time instead of ``timezone.now()`` or
``date.today()``. Tests freeze it with time-machine (which moves ``timezone.now`` under it);
the demo replays a district's history by setting it to each past moment with ``at(moment)``
so that every record, event, history row and timestamp reads as the day it happened.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime

from django.utils import timezone

_override: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "zhaoshang_clock", default=None
)


def now() -> datetime.datetime:
    """The current moment (aware): the set moment inside ``at()``, the real one otherwise."""
    moment = _override.get()
    return moment if moment is not None else timezone.now()


def today() -> datetime.date:
    """Today's date in the current time zone (Asia/Shanghai)."""
    return timezone.localdate(now())


def is_set() -> bool:
    """True inside ``at()`` (the demo's replay)."""
    return _override.get() is not None


@contextlib.contextmanager
def at(moment: datetime.datetime | datetime.date):
    """Run the block as if it were ``moment`` (a date means 09:00 that day, local time)."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(9, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _override.set(moment)
    try:
        yield moment
    finally:
        _override.reset(token)


def set_history_date(sender, history_instance, **kwargs) -> None:
    """simple-history's ``pre_create_historical_record``: a history row is dated by this
    clock, so a replayed change is dated the day it was made."""
    if is_set():
        history_instance.history_date = now()
