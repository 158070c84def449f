"""The scheduler's part of ``/healthz`` (listed in ``settings.HEALTH_CHECKS``)."""

from __future__ import annotations

from django.conf import settings

from zhaoshang.core import clock


def scheduler() -> dict:
    """How long ago the scheduler last started a job: ``"scheduler": "ok"`` or ``"stale"``
    (nothing started for ``HEALTH_SCHEDULER_MAX_AGE`` seconds; by default three outbox
    sweeps, at least five minutes), ``"unknown"`` before its first run."""
    from zhaoshang.ops.models import JobRun

    last = JobRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if last is None:
        return {"scheduler": "unknown"}
    age = max(0, int((clock.now() - last).total_seconds()))
    limit = settings.HEALTH_SCHEDULER_MAX_AGE or max(300, 3 * settings.SCHEDULE_OUTBOX_SECONDS)
    return {"scheduler": "ok" if age <= limit else "stale", "scheduler_last_run_seconds": age}
