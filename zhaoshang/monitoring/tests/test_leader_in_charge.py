"""One 分管县级领导 (issue 16 point 8, SPEC §20): receipts and escalation resolve the leader
in charge of a project by the one rule of ``projects.leaders`` (the designated contact
leader, else the project manager); an escalation step without a person goes to the office
of the investment leading group and shows as unassigned on the lights board.

The world: project1_a has a team (manager ``manager``, secretary ``secretary``) and the
designated leader ``manager``; project2_a has neither team nor designated leader. Dates:
a case due Friday 12 June 2026 is red from Saturday 13 June; Monday 15 June is its 1st
working day red, so the default chain (secretary after 0 working days) reaches the
secretary step that day."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.monitoring import services
from zhaoshang.monitoring.choices import Level, Subject
from zhaoshang.monitoring.models import EscalationRule, Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.org.choices import WorkingGroupKind
from zhaoshang.org.models import WorkingGroup
from zhaoshang.projects.leaders import leader_in_charge, leaders_in_charge
from zhaoshang.projects.models import ProjectTeamMember
from zhaoshang.service import services as service
from zhaoshang.service.choices import ReceiptResult

TODAY = datetime.date(2026, 6, 15)  # a Monday


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _red(case) -> None:
    """Overdue since Saturday 13 June (due Friday 12 June)."""
    ApprovalCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.ACCEPTED,
        due_on=datetime.date(2026, 6, 12),
        accepted_on=datetime.date(2026, 6, 1),
    )


def _signal(case) -> Signal:
    return Signal.objects.get(subject=Subject.CASE, object_id=case.pk)


def _told(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, verb="signal.escalated").values_list(
            "title", flat=True
        )
    )


def _straight_to_the_leader(district) -> None:
    # every step at once but the meeting: on TODAY (1 working day red) the target is the
    # leader-in-charge step
    EscalationRule.objects.create(
        district=district, to_secretary=0, to_manager=0, to_leader=0, to_meeting=30
    )


def _receipt(world, project):
    return service.file_receipt(
        world.user_secretary,
        project,
        visited_on=datetime.date(2026, 6, 12),
        department=world.dept_works_a,
        handler_name="王建国",
        matter="施工许可",
        work_done="递交材料",
        result=ReceiptResult.IN_PROGRESS,
        problems="",
    )


@pytest.mark.parametrize("designated", [None, "leader"])
def test_receipt_and_escalation_reach_the_same_leader_in_charge(world, designated):
    """Without a designated leader both go to the project manager; with one (here the
    ``leader``, while ``manager`` stays the manager) both go to the designated leader."""
    project = world.project1_a
    project.designated_leader = getattr(world, f"user_{designated}") if designated else None
    project.save()
    expected = world.user_leader if designated else world.user_manager

    receipt = _receipt(world, project)
    _straight_to_the_leader(world.district_a)
    _red(world.case_a)
    services.refresh_signals(TODAY)
    assert services.escalate(TODAY) == 1

    signal = _signal(world.case_a)
    assert (signal.level, signal.unassigned) == (Level.LEADER, False)
    assert receipt.addressee == expected == leader_in_charge(project)
    assert len(_told(expected)) == 1
    other = world.user_manager if designated else world.user_leader
    assert _told(other) == []
    assert leaders_in_charge([project.pk, world.project2_a.pk]) == {
        project.pk: expected,
        world.project2_a.pk: None,
    }


def test_an_inactive_designated_leader_gives_way_to_the_manager(world):
    project = world.project1_a
    world.user_leader.is_active = False
    world.user_leader.save()
    project.designated_leader = world.user_leader
    project.save()
    assert leader_in_charge(project) == world.user_manager
    assert _receipt(world, project).addressee == world.user_manager
    ProjectTeamMember.objects.filter(project=project, role="manager").delete()
    assert leader_in_charge(project) is None


def test_a_step_with_nobody_goes_to_the_leading_groups_office_unassigned(world, client_for):
    """project2_a has no secretary: the secretary step goes to the office's staff (the
    service center's people, the office named on the leading group) and the signal is
    unassigned; at the joint meeting (10 working days: 15 June + 10 working days, the
    Dragon Boat holiday 19 June skipped, is 29 June) the organisers are people again."""
    WorkingGroup.objects.create(
        district=world.district_a,
        name="招商引资工作领导小组",
        kind=WorkingGroupKind.LEADING_GROUP,
        office=world.dept_center_a,
    )
    _red(world.case_out_a)
    services.refresh_signals(TODAY)
    assert services.escalate(TODAY) == 1

    signal = _signal(world.case_out_a)
    assert (signal.level, signal.unassigned) == (Level.SECRETARY, True)
    (title,) = _told(world.user_service_center)  # of the office's department
    assert "unassigned" in title and world.project2_a.name in title
    assert _told(world.user_bureau) == []

    board = client_for("supervisor").get(reverse("monitoring:board"), {"unassigned": "on"})
    html = board.content.decode()
    assert board.context["totals"]["unassigned"] == 1
    assert f'data-signal="{signal.pk}"' in html and "data-unassigned" in html

    # The manager and leader steps have nobody either: still unassigned.
    assert services.escalate(datetime.date(2026, 6, 22)) == 1
    assert (_signal(world.case_out_a).level, _signal(world.case_out_a).unassigned) == (
        Level.LEADER,
        True,
    )
    assert len(_told(world.user_service_center)) == 2
    assert services.escalate(datetime.date(2026, 6, 29)) == 1
    signal = _signal(world.case_out_a)
    assert (signal.level, signal.unassigned) == (Level.MEETING, False)
    assert len(_told(world.user_supervisor)) == 1
    board = client_for("supervisor").get(reverse("monitoring:board"), {"unassigned": "on"})
    assert board.context["totals"]["unassigned"] == 0


def test_without_a_named_office_the_bureau_answers_for_it(world):
    """No leading group names its office: it sits in the bureau (招商局, the department of
    the bureau role's people), whose staff are told: ``bureau`` and ``secretary``."""
    _red(world.case_out_a)
    services.refresh_signals(TODAY)
    services.escalate(TODAY)
    assert _signal(world.case_out_a).unassigned
    assert len(_told(world.user_bureau)) == 1 and len(_told(world.user_secretary)) == 1
    assert _told(world.user_service_center) == []
