"""The demo's history, replayed through the real services with the clock set to each past
moment, so every record, event, history row and ledger entry is one the product itself
would have written that day.

Each part of the demo *plans* its story as steps on a ``Timeline`` (at this moment, this
person calls this service); ``run()`` plays them in time order, and a step may plan later
ones. A step planned after the present is dropped (``dropped``): a story stops at today.
The load is one transaction no step recovers in (an error rolls it all back), so the
services' nested blocks play without savepoints, two statements each saved.
"""

from __future__ import annotations

import contextlib
import datetime
import heapq
import itertools
import random
import zoneinfo
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections

from zhaoshang.core import clock

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# When government work happens: mornings and afternoons, a lunch break, a few late evenings.
OFFICE_HOURS = ((8, 30, 11, 45), (13, 30, 17, 45))


def moment(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """An aware moment in Shanghai on ``day``."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def office_time(rng: random.Random, day: datetime.date, late: float = 0.03) -> datetime.datetime:
    """A believable moment of office work on ``day`` (sometimes an evening, ``late``)."""
    if rng.random() < late:
        return moment(day, rng.randint(18, 21), rng.randint(0, 59))
    start_h, start_m, end_h, end_m = rng.choice(OFFICE_HOURS)
    start = start_h * 60 + start_m
    minutes = rng.randint(start, end_h * 60 + end_m)
    return moment(day, minutes // 60, minutes % 60)


@contextlib.contextmanager
def nested_savepoints(used: bool):
    """Nested ``atomic`` blocks with (``used``) or without savepoints: without, ``atomic``
    keeps no savepoint id (as with ``savepoint=False``), and a block that fails marks the
    whole transaction for rollback instead of rolling back to its start."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    before = wrapper.__dict__.pop("savepoint", None)
    if not used:
        wrapper.savepoint = lambda: None
    try:
        yield
    finally:
        wrapper.__dict__.pop("savepoint", None)
        if before is not None:
            wrapper.savepoint = before


class Timeline:
    """Steps of the demo's history, replayed in time order with the clock set to each
    (without savepoints unless ``savepoints`` is set: a part whose steps must recover from
    a failed block inside them sets it)."""

    savepoints = False

    def __init__(self, today: datetime.date, now: datetime.datetime | None = None):
        self.today = today
        self.now = now or moment(today, 8, 0)
        self._steps: list[tuple] = []  # (when, seq, fn, args, kwargs): a heap in time order
        self._seq = itertools.count()
        self.played = self.dropped = 0

    def add(self, when: datetime.datetime | datetime.date, fn: Callable, *args, **kwargs) -> None:
        """Plan ``fn(*args, **kwargs)`` at ``when`` (a date means 09:00 that day). A step
        planned after the present is dropped: the story stops at today."""
        if not isinstance(when, datetime.datetime):
            when = moment(when)
        if when > self.now:
            self.dropped += 1
            return
        heapq.heappush(self._steps, (when, next(self._seq), fn, args, kwargs))

    def run(self) -> None:
        """Play every step in time order (steps planned while playing included)."""
        with nested_savepoints(self.savepoints):
            while self._steps:
                when, _seq, fn, args, kwargs = heapq.heappop(self._steps)
                with clock.at(when):
                    fn(*args, **kwargs)
                self.played += 1
