"""The daily scan runs each of its steps as a ``core.scanstep.scan_step`` (on SQLite one
transaction without a probe of each foreign key): the steps of ``DAILY_SCAN_STEPS``, the
signals, their escalation, the lights' history and the steps after the lights — each in a
step of its own, none outside."""

from __future__ import annotations

import contextlib

from zhaoshang.monitoring import services
from zhaoshang.monitoring.services import Refresh

SEEN: list[tuple[str, int]] = []
DEPTH = [0]


def first_step(today, district_ids=None):
    SEEN.append(("first", DEPTH[0]))
    return "done"


def last_step(today, district_ids=None):
    SEEN.append(("last", DEPTH[0]))
    return "done"


def _seen(name, value):
    def run(*args, **kwargs):
        SEEN.append((name, DEPTH[0]))
        return value

    return run


@contextlib.contextmanager
def _counted(*args, **kwargs):
    DEPTH[0] += 1
    try:
        yield
    finally:
        DEPTH[0] -= 1


def test_every_step_of_the_daily_scan_is_a_scan_step(db, settings, monkeypatch):
    monkeypatch.setattr(services, "scan_step", _counted)
    monkeypatch.setattr(services, "refresh_signals", _seen("signals", Refresh()))
    monkeypatch.setattr(services, "escalate", _seen("escalation", 0))
    monkeypatch.setattr(services, "record_lights", _seen("lights", 0))
    settings.DAILY_SCAN_STEPS = [f"{__name__}.first_step"]
    settings.DAILY_SCAN_AFTER_LIGHTS = [f"{__name__}.last_step"]
    SEEN.clear()
    report = services.daily_scan()
    assert SEEN == [("first", 1), ("signals", 1), ("escalation", 1), ("lights", 1), ("last", 1)]
    assert [label for label, _ in report] == [
        f"{__name__.removeprefix('zhaoshang.')}.first_step",
        "signals",
        "escalation",
        "lights",
        f"{__name__.removeprefix('zhaoshang.')}.last_step",
    ]
