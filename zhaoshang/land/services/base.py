"""What every land service shares."""

from __future__ import annotations

from zhaoshang.core.audit import log_event


def _save(obj, user, verb: str, summary: str = "", **data):
    """Save the change as the record's next version and log it."""
    obj.save_new_version()
    log_event(user, verb, obj, summary, **data)
    return obj
