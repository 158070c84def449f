"""The lights' history kept by the database (``monitoring.lights_sql``: today's light and
reasons of each project built in SQL, compared with its last snapshot, written by one
``INSERT … SELECT … ON CONFLICT``) writes what ``record_lights`` writes with the lights
read and compared in Python (``project_lights``): on an ordinary day, the next day after
changes, and on a month's last day; rows written by either way compare equal to the
other's."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import transaction
from django.utils import translation

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.monitoring import services
from zhaoshang.monitoring.choices import Subject
from zhaoshang.monitoring.models import LightRule, LightSnapshot
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _rows() -> list[tuple]:
    return sorted(
        (district, project, on, light, json.dumps(reasons, sort_keys=True))
        for district, project, on, light, reasons in LightSnapshot.objects.values_list(
            "district_id", "project_id", "on", "light", "reasons"
        )
    )


def _both_ways(day: datetime.date) -> list[tuple]:
    """Record ``day`` in Python (rolled back), then in SQL: the same rows and count."""
    services.refresh_signals(day)
    with transaction.atomic():
        written = services.record_lights(day, services.project_lights())
        expected = _rows()
        transaction.set_rollback(True)
    assert services.record_lights(day) == written
    assert _rows() == expected
    return expected


def test_the_history_in_sql_writes_what_the_lights_compared_in_python_write(world, _frozen_time):
    populate(world, _frozen_time)
    # the investment schedule lit too (a signal without a due date among the reasons)
    LightRule.objects.create(
        district=world.district_a, subject=Subject.SCHEDULE, yellow_gap=1, red_gap=5
    )
    first = _both_ways(SCAN_DAY)
    assert {row[3] for row in first} == {"red", "yellow"}
    assert any(len(json.loads(row[4])) > 1 for row in first)  # several reasons, in order
    assert services.record_lights(SCAN_DAY) == 0  # the same day again
    # rows the Python way wrote compare equal to what the database builds
    with transaction.atomic():
        LightSnapshot.objects.all().delete()
        services.record_lights(SCAN_DAY, services.project_lights())
        assert services.record_lights(SCAN_DAY) == 0
        transaction.set_rollback(True)
    # the next working day: a case done, another lit
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        status=CaseStatus.DONE, done_on=D(2026, 7, 3)
    )
    ApprovalCase.objects.filter(pk=world.case_out_a.pk).update(due_on=D(2026, 7, 7))
    second = _both_ways(D(2026, 7, 6))
    assert second != first
    # a month's last day: a row for every project in a stage that reports
    month_end = _both_ways(D(2026, 7, 31))
    assert len([r for r in month_end if r[2] == D(2026, 7, 31)]) >= 2
