"""The escalation reads only the moves someone may be told of (issue 19): a signal whose
step has nobody, in a district whose leading group's office has nobody either, climbs by
the ``UPDATE`` alone, unassigned, and no message is written — at 100,000 projects without
people the first scan read 292,889 rows to write no message.

The world: project1_a has a team (manager ``manager``, secretary ``secretary``) and the
designated leader ``manager``; project2_a has neither. ``manager`` holds the leader role
(no office, no organiser of the joint meeting). A case due Friday 12 June 2026 is red
from Saturday 13 June: the secretary step on Monday 15 June, the manager's on the 16th,
the leader's on the 22nd, the joint meeting on the 29th."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.monitoring import services
from zhaoshang.monitoring.choices import Level, Subject
from zhaoshang.monitoring.models import Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import User

TODAY = datetime.date(2026, 6, 15)  # a Monday


def _red(case) -> None:
    ApprovalCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.ACCEPTED,
        due_on=datetime.date(2026, 6, 12),
        accepted_on=datetime.date(2026, 6, 1),
    )


def _state(case) -> tuple[int, bool]:
    signal = Signal.objects.get(subject=Subject.CASE, object_id=case.pk)
    return signal.level, signal.unassigned


@pytest.fixture
def read(monkeypatch) -> list:
    """The project of each move the escalation reads."""
    projects: list = []
    plain_rows = services.plain_rows

    def spy(queryset, **kwargs):
        for row in plain_rows(queryset, **kwargs):
            projects.append(row[2])
            yield row

    monkeypatch.setattr(services, "plain_rows", spy)
    return projects


def _escalated() -> list:
    return list(
        Notification.objects.filter(verb="signal.escalated").values_list("recipient", flat=True)
    )


def test_a_district_with_nobody_climbs_without_reading_a_move(world, read):
    User.objects.filter(district=world.district_a).update(is_active=False)
    _red(world.case_a)
    _red(world.case_out_a)
    services.refresh_signals(TODAY)
    assert services.escalate(TODAY) == 2
    assert _state(world.case_a) == _state(world.case_out_a) == (Level.SECRETARY, True)
    assert services.escalate(datetime.date(2026, 6, 29)) == 2
    assert _state(world.case_a) == _state(world.case_out_a) == (Level.MEETING, True)
    assert _escalated() == [] and read == []
    assert services.escalate(datetime.date(2026, 6, 29)) == 0


def test_only_the_projects_with_people_are_read_when_the_office_has_nobody(world, read):
    User.objects.filter(district=world.district_a).exclude(pk=world.user_manager.pk).update(
        is_active=False
    )
    _red(world.case_a)  # project1_a: its manager and designated leader is active
    _red(world.case_out_a)  # project2_a: nobody
    services.refresh_signals(TODAY)
    assert services.escalate(TODAY) == 2  # the secretary is inactive: nobody
    assert _state(world.case_a) == _state(world.case_out_a) == (Level.SECRETARY, True)
    assert _escalated() == []
    assert services.escalate(datetime.date(2026, 6, 16)) == 2
    assert _state(world.case_a) == (Level.MANAGER, False)
    assert _state(world.case_out_a) == (Level.MANAGER, True)
    assert services.escalate(datetime.date(2026, 6, 22)) == 2
    assert _state(world.case_a) == (Level.LEADER, False)
    assert _escalated() == [world.user_manager.pk] * 2
    assert set(read) == {world.project1_a.pk}
