"""What the scheduled jobs do (each ``f(slot) -> summary``); see ``ops.schedule``."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.notifications.models import Notification, OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import deliver_pending, notify
from zhaoshang.ops.models import JobRun
from zhaoshang.ops.schedule import SHANGHAI
from zhaoshang.org.models import User
from zhaoshang.workdays.services import unpublished_next_year, warning_text


def outbox_sweep(slot: datetime.datetime) -> str:
    """Deliver every due message of the outbox (``notifications.services.deliver_pending``)."""
    sent = deliver_pending()
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    return f"sent {sent}, pending {pending}"


def daily_scan(slot: datetime.datetime) -> str:
    """``manage.py daily_scan`` as of the slot's day (a caught-up run scans the missed day)."""
    out = io.StringIO()
    day = slot.astimezone(SHANGHAI).date()
    call_command("daily_scan", date=day.isoformat(), stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return f"{day.isoformat()}: " + "; ".join(lines)


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
