"""``DAILY_SCAN_PER_DISTRICT``: the scheduler's daily scan queues one task per district
(``ops.tasks.scan_district``), each claimed once per (district, slot); the districts scanned
apart leave what one whole scan leaves (signals, lights' history, KPI snapshots — the city's
figures are the sum of the districts' rows); a queue that is down costs nothing."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.kpis.models import KpiSnapshot
from zhaoshang.monitoring.models import LightSnapshot, Signal
from zhaoshang.ops import jobs
from zhaoshang.ops.models import JobRun, RunStatus
from zhaoshang.ops.tasks import scan_district
from zhaoshang.org.models import District

SLOT = datetime.datetime(2026, 7, 3, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def per_district(settings):
    settings.DAILY_SCAN_PER_DISTRICT = True
    settings.TASKS = IMMEDIATE


class _Undo(Exception):
    pass


def _what_the_scan_leaves(scan) -> dict:
    """What ``scan()`` leaves, read inside a transaction that is then rolled back."""
    try:
        with transaction.atomic():
            scan()
            left = {
                "signals": sorted(
                    Signal.objects.values_list(
                        "district_id", "subject", "object_id", "light", "level", "due_on"
                    )
                ),
                "lights": sorted(
                    LightSnapshot.objects.values_list("project_id", "on", "light", "reasons")
                ),
                "kpis": sorted(
                    KpiSnapshot.objects.values_list(
                        "district_id",
                        "year",
                        "cutoff",
                        "signed_count",
                        "signed_investment",
                        "started",
                        "funds_in_place",
                        "cases_done",
                        "cases_on_time",
                    )
                ),
            }
            raise _Undo
    except _Undo:
        return left


def test_one_task_per_district_each_recorded_as_its_run(world, per_district):
    result = jobs.daily_scan(SLOT)
    districts = list(District.objects.order_by("pk").values_list("pk", flat=True))
    assert len(districts) >= 2
    assert result == f"2026-07-03: {len(districts)} district scans queued"
    runs = JobRun.objects.filter(job__startswith="daily_scan:", slot=SLOT)
    assert sorted(runs.values_list("job", flat=True)) == sorted(
        f"daily_scan:{pk}" for pk in districts
    )
    assert all(run.status == RunStatus.SUCCEEDED for run in runs)
    assert all(run.result.startswith("2026-07-03: ") for run in runs)
    # A task delivered twice (a retry, a second scheduler's queue) scans once.
    again = scan_district.enqueue(districts[0], SLOT.isoformat())
    assert again.return_value == "already run"
    assert runs.count() == len(districts)


def test_the_scheduler_claims_the_slot_once_and_fans_out(world, per_district):
    call_command("scheduler", "--once", "--job", "daily_scan", stdout=io.StringIO())
    call_command("scheduler", "--once", "--job", "daily_scan", stdout=io.StringIO())
    run = JobRun.objects.get(job="daily_scan")
    assert run.status == RunStatus.SUCCEEDED and run.result.endswith("district scans queued")
    assert JobRun.objects.filter(job__startswith="daily_scan:").count() == District.objects.count()


def test_districts_scanned_apart_leave_what_one_whole_scan_leaves(world, settings):
    # An overdue case in each district (lights, a signal each, their escalation).
    for case in (world.case_a, world.case_b):
        ApprovalCase.objects.filter(pk=case.pk).update(
            status=CaseStatus.ACCEPTED,
            accepted_on=datetime.date(2026, 6, 1),
            materials_complete_on=datetime.date(2026, 6, 1),
            due_on=datetime.date(2026, 6, 20),
        )
    settings.TASKS = IMMEDIATE
    settings.DAILY_SCAN_PER_DISTRICT = False
    whole = _what_the_scan_leaves(lambda: jobs.daily_scan(SLOT))
    settings.DAILY_SCAN_PER_DISTRICT = True
    apart = _what_the_scan_leaves(lambda: jobs.daily_scan(SLOT))
    # The comparison compares something: lights in both districts, both districts' KPIs.
    assert {row[0] for row in whole["signals"]} == {world.district_a.pk, world.district_b.pk}
    assert len({row[0] for row in whole["kpis"]}) == District.objects.count()
    assert apart == whole


def test_a_failed_district_fails_its_task_and_not_the_others(world, per_district, monkeypatch):
    first, *others = District.objects.order_by("pk").values_list("pk", flat=True)
    real = jobs._scan

    def scan(slot, district_id=None):
        if district_id == first:
            raise RuntimeError("the scan fell over")
        return real(slot, district_id)

    monkeypatch.setattr(jobs, "_scan", scan)
    jobs.daily_scan(SLOT)
    runs = dict(JobRun.objects.filter(job__startswith="daily_scan:").values_list("job", "status"))
    assert runs[f"daily_scan:{first}"] == RunStatus.FAILED
    assert all(runs[f"daily_scan:{pk}"] == RunStatus.SUCCEEDED for pk in others)


def test_a_queue_that_is_down_scans_the_districts_in_the_scheduler(world, settings):
    from zhaoshang.ops.tests.conftest import spare_port

    settings.DAILY_SCAN_PER_DISTRICT = True
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.backend.RQBackend", "QUEUES": ["default"]}
    }
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{spare_port()}/0"}}
    n = District.objects.count()
    result = jobs.daily_scan(SLOT)
    assert result == (
        f"2026-07-03: 0 district scans queued, {n} scanned here (the queue was unavailable), "
        "0 failed"
    )
    assert (
        JobRun.objects.filter(job__startswith="daily_scan:", status=RunStatus.SUCCEEDED).count()
        == n
    )
