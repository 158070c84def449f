"""A joint decision already recorded with the approvals (互为前置 → 同时审批) as the decision
of the meeting that took it: checked like the other decisions, logged, with its history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings import services
from zhaoshang.meetings.models import Decision
from zhaoshang.meetings.tests.factories import HELD_ON, make_meeting


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def joint(world):
    """备案 and 节能审查 of project1_a, approved at the same time on the meeting's day."""
    items = ApprovalItem.objects.filter(district=world.district_a)
    cases = [
        approvals.register_case(world.user_service_center, world.project1_a, items.get(code=code))
        for code in ("XM-01", "XM-05")
    ]
    return approvals.record_joint_decision(
        world.user_service_center, world.project1_a, cases, HELD_ON, "东府纪〔2026〕9号", "同时审批"
    )


def test_the_meeting_records_the_joint_decision_it_took(world, joint):
    meeting = make_meeting(world, projects=[world.project1_a])
    agenda_item = meeting.agenda_items.get()
    decision = services.record_taken_joint_decision(
        world.user_bureau, meeting, joint, agenda_item=agenda_item
    )
    assert (decision.joint_decision, decision.text, decision.number) == (joint, "同时审批", 1)
    assert decision.agenda_item == agenda_item and decision.recorded_by == world.user_bureau
    assert decision.history.count() == 1
    meeting.refresh_from_db()
    assert meeting.minutes_number == "东府纪〔2026〕9号" and meeting.status == "held"
    event = DomainEvent.objects.filter(verb="decision.recorded").get()
    assert event.data == {"decision": decision.pk, "joint_decision": joint.pk}
    with pytest.raises(ValidationError) as exc:  # once only
        services.record_taken_joint_decision(world.user_bureau, meeting, joint)
    assert list(exc.value.message_dict) == ["joint_decision"]


@pytest.mark.parametrize(
    "extra",
    [{"held_on": HELD_ON.replace(day=HELD_ON.day - 1)}, {"minutes_number": "东府纪〔2026〕8号"}],
)
def test_a_joint_decision_of_another_day_or_number_is_refused(world, joint, extra):
    meeting = make_meeting(world, **extra)
    with pytest.raises(ValidationError) as exc:
        services.record_taken_joint_decision(world.user_bureau, meeting, joint)
    assert list(exc.value.message_dict) == ["joint_decision"]
    assert not Decision.objects.exists()


def test_who_records_it(world, joint):
    meeting = make_meeting(world)
    with pytest.raises(PermissionDenied):
        services.record_taken_joint_decision(world.user_department, meeting, joint)
    assert not Decision.objects.exists()
