"""Reading the scheduler's times of day from the environment (imported by settings, so it
imports nothing of Django's apps)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ImproperlyConfigured


def parse_time(value: str, name: str) -> datetime.time | None:
    """``"06:00"`` → 06:00; ``"off"`` or empty → the job is disabled. A bad value stops the
    process with the variable's name."""
    value = (value or "").strip().lower()
    if value in ("", "off", "none"):
        return None
    try:
        hours, minutes = value.split(":")
        if len(minutes) != 2:
            raise ValueError(value)
        return datetime.time(int(hours), int(minutes))
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a time of day HH:MM (or off)."
        ) from None
