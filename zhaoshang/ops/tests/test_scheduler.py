"""``manage.py scheduler``: slots in Asia/Shanghai, one run per (job, slot) even with two
schedulers, one catch-up after downtime, failures recorded, the periodic jobs themselves."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from zhaoshang.notifications.models import OutboxMessage, OutboxStatus
from zhaoshang.ops import schedule
from zhaoshang.ops.management.commands.scheduler import Loop
from zhaoshang.ops.models import JobRun, RunStatus

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SH)


def _job(name):
    return next(job for job in schedule.jobs() if job.name == name)


def test_daily_slots_are_shanghai_times(settings):
    settings.SCHEDULE_DAILY_SCAN = datetime.time(6, 0)
    scan = _job("daily_scan")
    assert scan.latest_slot(at(2026, 6, 15, 10, 0)) == at(2026, 6, 15, 6, 0)
    assert scan.latest_slot(at(2026, 6, 15, 5, 59)) == at(2026, 6, 14, 6, 0)
    assert scan.latest_slot(at(2026, 6, 15, 6, 0)) == at(2026, 6, 15, 6, 0)
    assert scan.next_slot(at(2026, 6, 15, 6, 0)) == at(2026, 6, 16, 6, 0)
    # 22:30 UTC is 06:30 the next day in Shanghai.
    utc = datetime.datetime(2026, 6, 14, 22, 30, tzinfo=datetime.UTC)
    assert scan.latest_slot(utc) == at(2026, 6, 15, 6, 0)


def test_interval_slots_and_configuration(settings):
    settings.SCHEDULE_OUTBOX_SECONDS = 5
    sweep = _job("outbox_sweep")
    now = at(2026, 6, 15, 10, 0, 7)
    assert sweep.latest_slot(now) == at(2026, 6, 15, 10, 0, 5)
    assert sweep.next_slot(now) == at(2026, 6, 15, 10, 0, 10)
    settings.SCHEDULE_CLEANUP = None  # "off"
    assert "cleanup" not in {job.name for job in schedule.jobs()}


def test_a_bad_time_stops_the_process_with_the_variables_name():
    from django.core.exceptions import ImproperlyConfigured

    from zhaoshang.ops.times import parse_time

    assert parse_time("06:30", "X") == datetime.time(6, 30)
    assert parse_time("off", "X") is None
    for bad in ("6", "25:00", "06:3", "six"):
        with pytest.raises(ImproperlyConfigured, match="SCHEDULE_DAILY_SCAN"):
            parse_time(bad, "SCHEDULE_DAILY_SCAN")


def test_once_runs_what_is_due_and_a_second_scheduler_runs_nothing(world):
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    runs = {run.job: run for run in JobRun.objects.all()}
    assert set(runs) == {"outbox_sweep", "daily_scan", "calendar_check", "cleanup"}
    assert all(run.status == RunStatus.SUCCEEDED and run.finished_at for run in runs.values())
    assert runs["daily_scan"].slot == at(2026, 6, 15, 6, 0)
    assert runs["daily_scan"].result.startswith("2026-06-15: ")
    assert "daily_scan 2026-06-15 06:00:00: 2026-06-15" in out.getvalue()
    # The same slots again (another scheduler, a cron line): nothing runs twice.
    again = io.StringIO()
    call_command("scheduler", "--once", stdout=again)
    assert JobRun.objects.count() == 4
    assert again.getvalue() == "nothing due\n"


def test_a_slot_claimed_elsewhere_is_not_run(world):
    scan = _job("daily_scan")
    slot = scan.latest_slot(timezone.now())
    assert schedule.claim(scan, slot) is not None
    assert schedule.claim(scan, slot) is None  # the unique (job, slot) constraint
    assert schedule.run_slot(scan, slot) is None


def test_after_days_of_downtime_the_daily_scan_catches_up_once(world, _frozen_time):
    call_command("scheduler", "--once", "--job", "daily_scan", stdout=io.StringIO())
    _frozen_time.shift(datetime.timedelta(days=4))  # down from Monday to Friday
    call_command("scheduler", "--once", "--job", "daily_scan", stdout=io.StringIO())
    slots = list(JobRun.objects.filter(job="daily_scan").values_list("slot", flat=True))
    assert sorted(slots) == [at(2026, 6, 15, 6, 0), at(2026, 6, 19, 6, 0)]


def test_a_failing_job_is_recorded_and_the_others_still_run(world, monkeypatch):
    from zhaoshang.ops import jobs

    def broken(slot):
        raise RuntimeError("the scan fell over")

    monkeypatch.setattr(jobs, "daily_scan", broken)
    out = io.StringIO()
    with pytest.raises(CommandError, match="failed: daily_scan"):
        call_command("scheduler", "--once", stdout=out)
    run = JobRun.objects.get(job="daily_scan")
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: the scan fell over"
    assert JobRun.objects.filter(status=RunStatus.SUCCEEDED).count() == 3


def test_an_unknown_job_is_refused(db):
    with pytest.raises(CommandError, match="Unknown job nope"):
        call_command("scheduler", "--once", "--job", "nope")


def test_list_prints_the_plan(db):
    out = io.StringIO()
    with translation.override("en"):
        call_command("scheduler", "--list", stdout=out)
    assert "daily_scan: daily at 06:00; next 2026-06-16 06:00:00; last never" in out.getvalue()


def test_a_message_queued_while_the_broker_was_down_is_delivered_by_the_sweep(
    world, settings, django_capture_on_commit_callbacks
):
    """notify() could not enqueue its delivery (Redis down): nothing else happens, and the
    scheduler's sweep delivers the message anyway."""
    from zhaoshang.notifications.services import notify
    from zhaoshang.ops.tests.conftest import spare_port

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.backend.RQBackend", "QUEUES": ["default"]}
    }
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{spare_port()}/0"}}
    world.user_leader.email = "leader@example.gov.cn"
    world.user_leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.user_leader], "need.assigned", "请办理企业诉求")
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING
    call_command("scheduler", "--once", "--job", "outbox_sweep", stdout=io.StringIO())
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert [m.subject for m in mail.outbox] == ["请办理企业诉求"]
    assert JobRun.objects.get(job="outbox_sweep").result == "sent 1, pending 0"


def test_the_loop_runs_each_slot_once_as_time_goes_by(world, settings, _frozen_time):
    settings.SCHEDULE_OUTBOX_SECONDS = 60
    ticks = []

    def sleep(seconds):
        ticks.append(seconds)
        _frozen_time.shift(datetime.timedelta(seconds=20))

    Loop(only={"outbox_sweep", "daily_scan"}, inline=True, sleep=sleep).run(max_ticks=9)
    # 9 ticks 20 s apart from 10:00:00 cover the minutes 10:00, 10:01 and 10:02.
    sweeps = JobRun.objects.filter(job="outbox_sweep").order_by("slot")
    assert [timezone.localtime(r.slot).strftime("%H:%M") for r in sweeps] == [
        "10:00",
        "10:01",
        "10:02",
    ]
    assert JobRun.objects.filter(job="daily_scan").count() == 1


def test_the_loop_waits_out_a_lost_database(world, monkeypatch, _frozen_time):
    from django.db import OperationalError

    calls = {"n": 0}
    real_claim = schedule.claim

    def flaky(job, slot):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(job, slot)

    monkeypatch.setattr(schedule, "claim", flaky)
    pauses = []
    Loop(only={"outbox_sweep"}, inline=True, sleep=pauses.append).run(max_ticks=4)
    assert pauses[:3] == [1.0, 2.0, 1.0]  # back-off while it is down, then the normal tick
    assert JobRun.objects.filter(job="outbox_sweep", status=RunStatus.SUCCEEDED).count() == 1


def test_the_calendar_check_tells_administrators_once_a_week(world, _frozen_time):
    from zhaoshang.notifications.models import Notification
    from zhaoshang.ops.jobs import CALENDAR_VERB, calendar_check

    assert calendar_check(timezone.now()) == "calendar complete"  # June: no warning yet
    _frozen_time.move_to(at(2026, 11, 2, 9, 0))
    result = calendar_check(timezone.now())
    told = set(
        Notification.objects.filter(verb=CALENDAR_VERB).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"admin", "admin_b"} <= told
    assert "bureau" not in told
    assert result == f"2027 missing, {len(told)} administrators told"
    _frozen_time.shift(datetime.timedelta(days=3))
    assert calendar_check(timezone.now()).endswith(" 0 administrators told")
    _frozen_time.shift(datetime.timedelta(days=4))
    assert calendar_check(timezone.now()).endswith(f" {len(told)} administrators told")


def test_the_cleanup_forgets_old_runs_and_task_results(world, settings):
    from django_tasks_db.models import DBTaskResult

    from zhaoshang.ops.jobs import cleanup
    from zhaoshang.ops.tasks import ping

    now = timezone.now()
    old = JobRun.objects.create(
        job="outbox_sweep", slot=now - datetime.timedelta(days=40), started_at=now
    )
    JobRun.objects.filter(pk=old.pk).update(started_at=now - datetime.timedelta(days=40))
    recent = JobRun.objects.create(job="outbox_sweep", slot=now, started_at=now)
    finished = ping.enqueue()
    DBTaskResult.objects.filter(pk=finished.id).update(
        status="SUCCESSFUL", finished_at=now - datetime.timedelta(days=20)
    )
    waiting = ping.enqueue()
    assert cleanup(now) == "1 job runs, 1 task results removed"
    assert list(JobRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [waiting.id]


def _postgres_url() -> str:
    from django.db import connection

    d = connection.settings_dict
    password = f":{d['PASSWORD']}" if d.get("PASSWORD") else ""
    return f"postgres://{d['USER']}{password}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.mark.skipif(not _is_postgres(), reason="a second process needs a shared database")
def test_the_scheduler_process_sweeps_the_outbox_and_stops_cleanly(committed_db):
    """``manage.py scheduler`` as an operator starts it: the sweep (every second here) delivers
    a message nobody enqueued, and SIGTERM stops it with exit code 0."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from zhaoshang.notifications.models import Channel, Notification

    world = committed_db
    note = Notification.objects.create(recipient=world.user_leader, verb="t", title="进程外投递")
    message = OutboxMessage.objects.create(
        notification=note, channel=Channel.EMAIL, address="leader@example.gov.cn"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=_postgres_url(),
        SCHEDULE_OUTBOX_SECONDS="1",
        SCHEDULE_DAILY_SCAN="off",
        SCHEDULE_CALENDAR_CHECK="off",
        SCHEDULE_CLEANUP="off",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "scheduler"],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status == OutboxStatus.SENT:
                break
            time.sleep(0.3)
        assert message.status == OutboxStatus.SENT
        time.sleep(2.5)  # a few more sweeps, one run per second
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "Subject: =?utf-8?b?" in out.decode() or "进程外投递" in out.decode()
    runs = JobRun.objects.filter(job="outbox_sweep")
    assert runs.count() >= 3
    assert runs.filter(status=RunStatus.SUCCEEDED).count() == runs.count()
