"""The joint decision as a decision of a meeting (互为前置 → 同时审批、同时办结): the
approvals' ``record_joint_decision`` with the meeting's date and minutes number, linked to
the decision, all in one transaction."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, JointDecision
from zhaoshang.meetings import services
from zhaoshang.meetings.models import Decision
from zhaoshang.meetings.tests.factories import make_meeting, row


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pair(world):
    """备案 (XM-01) and 节能审查 (XM-05, which needs 备案 first) of project1_a."""
    items = ApprovalItem.objects.filter(district=world.district_a)
    return [
        approvals.register_case(world.user_service_center, world.project1_a, items.get(code=code))
        for code in ("XM-01", "XM-05")
    ]


def test_joint_decision_at_the_meeting(world, pair):
    meeting = make_meeting(world, held_on=day("2026-06-12"), cases=pair)
    decision = services.record_joint_decision(
        world.user_leader,
        meeting,
        project=world.project1_a,
        cases=pair,
        agenda_item=meeting.agenda_items.first(),
        minutes_number="东府纪〔2026〕9号",
        action_items=[row(world.dept_works_a, title="配合做好节能审查现场核查")],
    )
    joint = decision.joint_decision
    assert (joint.decided_on, joint.document_number, joint.project) == (
        day("2026-06-12"),
        "东府纪〔2026〕9号",
        world.project1_a,
    )
    cases = ApprovalCase.objects.filter(pk__in=[c.pk for c in pair])
    assert {c.joint_decision_id for c in cases} == {joint.pk}
    assert {c.due_on for c in cases} == {joint.common_due_on}
    names = "、".join(c.item.name for c in pair)
    assert decision.text == (
        f"The mutually prerequisite items {names} of 华鑫新能源电池项目 are approved at the "
        "same time, with one common due date."
    )
    assert decision.action_items.get().decision == decision
    meeting.refresh_from_db()
    assert meeting.minutes_number == "东府纪〔2026〕9号"
    # The minutes number the joint decision carries can no longer change.
    with pytest.raises(ValidationError) as exc:
        services.update_meeting(world.user_bureau, meeting, {"minutes_number": "另号"})
    assert list(exc.value.message_dict) == ["minutes_number"]


def test_the_meeting_needs_a_minutes_number(world, pair):
    meeting = make_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.record_joint_decision(
            world.user_leader, meeting, project=world.project1_a, cases=pair
        )
    assert list(exc.value.message_dict) == ["minutes_number"]
    assert not JointDecision.objects.exists()


def test_a_refused_joint_decision_saves_nothing(world, pair):
    """Cases that are not prerequisites of each other: the approvals' refusal comes through
    and neither the decision nor the minutes number is kept."""
    items = ApprovalItem.objects.filter(district=world.district_a)
    safety = approvals.register_case(
        world.user_service_center, world.project1_a, items.get(code="XM-06")
    )
    meeting = make_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.record_joint_decision(
            world.user_leader,
            meeting,
            project=world.project1_a,
            cases=[pair[1], safety],
            minutes_number="东府纪〔2026〕9号",
        )
    assert "parallel" in exc.value.message_dict["cases"][0]
    meeting.refresh_from_db()
    assert meeting.minutes_number == "" and meeting.status == "planned"
    assert not Decision.objects.exists() and not JointDecision.objects.exists()


def test_a_bad_action_item_saves_no_joint_decision(world, pair):
    meeting = make_meeting(world, minutes_number="东府纪〔2026〕9号")
    with pytest.raises(services.ActionItemRowsError):
        services.record_joint_decision(
            world.user_leader,
            meeting,
            project=world.project1_a,
            cases=pair,
            action_items=[row(None)],
        )
    assert not JointDecision.objects.exists()
    assert not ApprovalCase.objects.filter(joint_decision__isnull=False).exists()


def test_who_records_a_joint_decision(world, pair):
    """The approvals' rule applies too: the supervision office organises meetings but does
    not decide approvals."""
    meeting = make_meeting(world, minutes_number="东府纪〔2026〕9号")
    with pytest.raises(PermissionDenied):
        services.record_joint_decision(
            world.user_supervisor, meeting, project=world.project1_a, cases=pair
        )
    with pytest.raises(PermissionDenied):
        services.record_joint_decision(
            world.user_department, meeting, project=world.project1_a, cases=pair
        )
    assert not JointDecision.objects.exists()
