"""What the scheduled jobs do (each ``f(slot) -> summary``); see ``ops.schedule``."""

from __future__ import annotations

import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.notifications.models import Notification, OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import deliver_pending, notify
from zhaoshang.ops import schedule
from zhaoshang.ops.models import JobRun, RunStatus
from zhaoshang.ops.schedule import SHANGHAI
from zhaoshang.org.models import District, User
from zhaoshang.workdays.services import unpublished_next_year, warning_text

logger = logging.getLogger(__name__)


def outbox_sweep(slot: datetime.datetime) -> str:
    """Deliver every due message of the outbox (``notifications.services.deliver_pending``)."""
    sent = deliver_pending()
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    return f"sent {sent}, pending {pending}"


def daily_scan(slot: datetime.datetime) -> str:
    """``manage.py daily_scan`` as of the slot's day (a caught-up run scans the missed day);
    with ``DAILY_SCAN_PER_DISTRICT``, one task per district instead (``fan_out``)."""
    if settings.DAILY_SCAN_PER_DISTRICT:
        return fan_out(slot)
    return _scan(slot)


def _scan(slot: datetime.datetime, district_id: int | None = None) -> str:
    out = io.StringIO()
    day = slot.astimezone(SHANGHAI).date()
    districts = {} if district_id is None else {"district": [str(district_id)]}
    call_command("daily_scan", date=day.isoformat(), stdout=out, **districts)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return f"{day.isoformat()}: " + "; ".join(lines)


@dataclass(frozen=True)
class DistrictScan(schedule.Job):
    """One district's part of a daily scan's slot: run and recorded like a scheduled job,
    as ``daily_scan:<district id>`` (so the unique (job, slot) run makes a task delivered
    twice scan once)."""

    district_id: int = 0

    def run(self, slot: datetime.datetime) -> str:
        return _scan(slot, self.district_id)


def scan_district(district_id: int, slot: datetime.datetime) -> JobRun | None:
    """Claim and run one district's scan for the slot; None when it had been run."""
    job = DistrictScan(f"daily_scan:{district_id}", _("Daily scan"), "", district_id=district_id)
    return schedule.run_slot(job, slot)


def fan_out(slot: datetime.datetime) -> str:
    """The daily scan as one task per district (``ops.tasks.scan_district``), so several
    task workers scan districts side by side (a province: docs/scaling.md). Every step of
    the scan partitions by district (``monitoring.services.daily_scan(district_ids=…)``), so
    the districts scanned apart leave what one whole scan leaves. A district whose task could
    not be queued (the broker down) is scanned here, one after the other: the day's scan is
    never lost."""
    from zhaoshang.ops.tasks import scan_district as task

    day = slot.astimezone(SHANGHAI).date().isoformat()
    queued, here = 0, []
    for pk in District.objects.order_by("pk").values_list("pk", flat=True):
        try:
            task.enqueue(pk, slot.isoformat())
        except Exception:  # noqa: BLE001 - the broker is down: this district is scanned here
            logger.warning("could not queue the daily scan of district %s", pk, exc_info=True)
            here.append(pk)
        else:
            queued += 1
    failed = 0
    for pk in here:
        run = scan_district(pk, slot)
        failed += run is not None and run.status == RunStatus.FAILED
    summary = f"{day}: {queued} district scans queued"
    if here:
        summary += f", {len(here)} scanned here (the queue was unavailable), {failed} failed"
    return summary


CALENDAR_VERB = "calendar.unpublished"


def calendar_check(slot: datetime.datetime) -> str:
    """From 1 November, tell every active administrator once a week that next year's
    holiday arrangement is not published (the banner says it on every page; this reaches
    those who do not log in)."""
    today = slot.astimezone(SHANGHAI).date()
    year = unpublished_next_year(today)
    if year is None:
        return "calendar complete"
    recent = clock.now() - datetime.timedelta(days=6)
    told = Notification.objects.filter(verb=CALENDAR_VERB, created_at__gte=recent).values(
        "recipient_id"
    )
    admins = (
        User.objects.filter(is_active=True, groups__name=Role.ADMIN).exclude(pk__in=told).distinct()
    )
    with translation.override(settings.LANGUAGE_CODE):
        notes = notify(
            list(admins),
            CALENDAR_VERB,
            warning_text(year),
            url=reverse("workdays:calendar"),
        )
    return f"{year} missing, {len(notes)} administrators told"


def cleanup(slot: datetime.datetime) -> str:
    """Forget old bookkeeping: job runs and finished task results older than their
    retention (``OPS_KEEP_JOB_RUNS_DAYS``, ``OPS_KEEP_TASK_RESULTS_DAYS``)."""
    now = clock.now()
    runs, _ = JobRun.objects.filter(
        started_at__lt=now - datetime.timedelta(days=settings.OPS_KEEP_JOB_RUNS_DAYS)
    ).delete()
    results = 0
    if isinstance(task_backends["default"], DatabaseBackend):
        results, _ = (
            DBTaskResult.objects.finished()
            .filter(
                finished_at__lt=now - datetime.timedelta(days=settings.OPS_KEEP_TASK_RESULTS_DAYS)
            )
            .delete()
        )
    return f"{runs} job runs, {results} task results removed"
