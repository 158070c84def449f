"""The daily scan runs each step with the cyclic garbage collector paused (core.cycles)
and leaves it as it found it."""

import gc

from zhaoshang.monitoring import services

seen: list[bool] = []


def note_collector(today, district_ids=None):
    seen.append(gc.isenabled())
    return "noted"


def test_each_step_runs_with_the_collector_paused_and_it_is_back_after(db, settings, monkeypatch):
    settings.DAILY_SCAN_STEPS = [f"{__name__}.note_collector"]
    settings.DAILY_SCAN_AFTER_LIGHTS = [f"{__name__}.note_collector"]
    for name in ("refresh_signals", "escalate", "record_lights"):
        original = getattr(services, name)

        def noting(*args, _original=original, **kwargs):
            seen.append(gc.isenabled())
            return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, noting)
    seen.clear()
    assert gc.isenabled()
    report = services.daily_scan()
    assert len(seen) == 5 and not any(seen), seen
    assert gc.isenabled()
    assert report[0] == (f"{__name__.removeprefix('zhaoshang.')}.note_collector", "noted")
