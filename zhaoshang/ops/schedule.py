"""The periodic jobs of the platform and when they run (``manage.py scheduler``).

A job runs either every N seconds or once a day at a time of day in Asia/Shanghai. Each run
stands for one *slot* — the planned moment — and is recorded as an ``ops.JobRun`` written
before the job starts under a unique (job, slot) constraint: two schedulers (or a scheduler
and a cron line running ``scheduler --once``) that reach the same slot run it once.

Only the latest slot is ever due: a scheduler that was down from Monday to Thursday runs the
daily scan once when it comes back (for Thursday's slot, or Wednesday's before 06:00), not
once per missed day.

Jobs run inside the scheduler process (each in a thread of its own in the long-running loop),
not through the task queue: the outbox sweep must deliver even while the task broker is down,
and the run's start, end and error are then recorded where they happened.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock
from zhaoshang.ops.models import JobRun, RunStatus

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run(slot)`` returns a short summary of what it did."""

    name: str
    label: object
    func: str  # dotted path of ``f(slot) -> str``
    at: datetime.time | None = None  # daily at this time of day (Asia/Shanghai)
    every: int | None = None  # or every this many seconds

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The latest planned moment at or before ``now``."""
        if self.every:
            seconds = int(now.timestamp()) // self.every * self.every
            return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
        local = now.astimezone(SHANGHAI)
        slot = datetime.datetime.combine(local.date(), self.at, tzinfo=SHANGHAI)
        if slot > local:
            slot -= datetime.timedelta(days=1)
        return slot

    def next_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The first planned moment after ``now``."""
        latest = self.latest_slot(now)
        if self.every:
            return latest + datetime.timedelta(seconds=self.every)
        local = latest.astimezone(SHANGHAI)
        # Asia/Shanghai has no daylight saving: the next day at the same time is 24 h later.
        return datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), self.at, tzinfo=SHANGHAI
        )

    @property
    def when(self) -> str:
        if self.every:
            return _("every %(n)s s") % {"n": self.every}
        return _("daily at %(time)s") % {"time": self.at.strftime("%H:%M")}

    def run(self, slot: datetime.datetime) -> str:
        return import_string(self.func)(slot)


def jobs() -> list[Job]:
    """The configured jobs (a job whose time is ``off`` is left out)."""
    out = []
    if settings.SCHEDULE_OUTBOX_SECONDS > 0:
        out.append(
            Job(
                "outbox_sweep",
                _("Outbox sweep"),
                "zhaoshang.ops.jobs.outbox_sweep",
                every=settings.SCHEDULE_OUTBOX_SECONDS,
            )
        )
    for name, label, func, at in (
        (
            "daily_scan",
            _("Daily scan"),
            "zhaoshang.ops.jobs.daily_scan",
            settings.SCHEDULE_DAILY_SCAN,
        ),
        (
            "calendar_check",
            _("Calendar check"),
            "zhaoshang.ops.jobs.calendar_check",
            settings.SCHEDULE_CALENDAR_CHECK,
        ),
        ("cleanup", _("Clean-up"), "zhaoshang.ops.jobs.cleanup", settings.SCHEDULE_CLEANUP),
    ):
        if at is not None:
            out.append(Job(name, label, func, at=at))
    return out


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(job: Job, slot: datetime.datetime) -> JobRun | None:
    """Write the run for this slot, or None when it exists (another scheduler took it)."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job.name, slot=slot, started_at=clock.now(), host=_runner()
            )
    except IntegrityError:
        return None


def execute(job: Job, run: JobRun) -> JobRun:
    """Run the job for its claimed slot and record how it ended."""
    try:
        result = job.run(run.slot)
    except Exception as exc:  # noqa: BLE001 - a failed job is recorded, the scheduler goes on
        logger.exception("scheduled job %s failed", job.name)
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:4000]
    else:
        run.status = RunStatus.SUCCEEDED
        run.result = (result or "")[:300]
    run.finished_at = clock.now()
    run.save(update_fields=["status", "error", "result", "finished_at"])
    return run


def run_slot(job: Job, slot: datetime.datetime) -> JobRun | None:
    """Claim and run one slot; None when it had already been run (or taken)."""
    run = claim(job, slot)
    if run is None:
        return None
    return execute(job, run)


def due(
    now: datetime.datetime, only: set[str] | None = None
) -> list[tuple[Job, datetime.datetime]]:
    """The jobs whose latest slot has no run yet (one query)."""
    wanted = [job for job in jobs() if only is None or job.name in only]
    slots = {job.name: job.latest_slot(now) for job in wanted}
    done = set(
        JobRun.objects.filter(job__in=list(slots), slot__in=list(slots.values())).values_list(
            "job", "slot"
        )
    )
    return [(job, slots[job.name]) for job in wanted if (job.name, slots[job.name]) not in done]


def run_due(
    now: datetime.datetime | None = None,
    only: set[str] | None = None,
    report: Callable[[Job, datetime.datetime, JobRun | None], None] | None = None,
) -> list[JobRun]:
    """``scheduler --once``: run what is due now, one job after the other."""
    now = now or clock.now()
    runs = []
    for job, slot in due(now, only):
        run = run_slot(job, slot)
        if report is not None:
            report(job, slot, run)
        if run is not None:
            runs.append(run)
    return runs


def last_runs() -> dict[str, JobRun]:
    """The latest run of each job (one query per job, on the (job, -started_at) index)."""
    names = [job.name for job in jobs()]
    out = {}
    for name in names:
        run = JobRun.objects.filter(job=name).order_by("-started_at", "-id").first()
        if run is not None:
            out[name] = run
    return out
