"""A meeting's decision creates its action items; a refused item leaves nothing behind."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionSource, MeetingStatus
from zhaoshang.meetings.models import ActionItem, Decision
from zhaoshang.meetings.tests.factories import make_meeting, row
from zhaoshang.notifications.models import Notification


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_decision_creates_its_action_items(world):
    meeting = make_meeting(world, projects=[world.project1_a])
    agenda = meeting.agenda_items.get()
    decision = services.record_decision(
        world.user_leader,
        meeting,
        text="一、由区建设局牵头协调供电公司，5个工作日内完成施工用电接入；二、区国土局6月30日前完成红线复核。",
        agenda_item=agenda,
        action_items=[
            row(world.dept_works_a, title="完成施工用电接入", owner_person=world.user_officer),
            row(
                world.dept_land_a,
                title="完成红线复核",
                due_workdays=None,
                due_on=day("2026-06-30"),
                description="复核后报区招商局",
            ),
        ],
    )
    assert decision.number == 1 and decision.agenda_item == agenda
    power, survey = decision.action_items.order_by("id")
    assert (power.source, power.project, power.owner_person) == (
        ActionSource.MEETING,
        world.project1_a,
        world.user_officer,
    )
    assert power.due_on == day("2026-06-23") and power.assigned_by == world.user_leader
    assert (survey.owner_department, survey.due_on, survey.description) == (
        world.dept_land_a,
        day("2026-06-30"),
        "复核后报区招商局",
    )
    assert survey.project == world.project1_a  # the agenda item's project
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD  # its day had come: now held
    event = DomainEvent.objects.for_object(meeting).get(verb="decision.recorded")
    assert event.data["action_items"] == [power.pk, survey.pk]
    assert set(
        Notification.objects.filter(verb="action_item.created").values_list(
            "recipient__username", flat=True
        )
    ) == {"officer"}  # 国土局 has no people in the world
    second = services.record_decision(
        world.user_bureau,
        meeting,
        text="会议整体：加快推进",
        action_items=[row(world.dept_works_a)],
    )
    assert second.number == 2 and second.agenda_item is None


def test_a_bad_row_saves_nothing(world):
    meeting = make_meeting(world)
    with pytest.raises(services.ActionItemRowsError) as exc:
        services.record_decision(
            world.user_bureau,
            meeting,
            text="限期办结",
            action_items=[
                row(world.dept_works_a),
                row(None),
                row(world.dept_land_a, owner_person=world.user_department),
            ],
        )
    assert sorted(exc.value.rows) == [1, 2]
    assert list(exc.value.rows[1].message_dict) == ["owner_department"]
    assert list(exc.value.rows[2].message_dict) == ["owner_person"]
    messages = exc.value.message_dict["action_items"]
    assert messages[0].startswith("Action item 2: Choose the owner department")
    assert messages[1].startswith("Action item 3: Department does not belong to 区国土局")
    assert not Decision.objects.exists() and not ActionItem.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED  # rolled back with the rest


def test_a_decision_needs_text_and_an_action_item(world):
    meeting = make_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.record_decision(
            world.user_bureau, meeting, text="", action_items=[row(world.dept_works_a)]
        )
    assert list(exc.value.message_dict) == ["text"]
    with pytest.raises(ValidationError) as exc:
        services.record_decision(world.user_bureau, meeting, text="同意", action_items=[])
    assert "at least one action item" in exc.value.message_dict["action_items"][0]


def test_the_agenda_item_is_this_meetings(world):
    meeting = make_meeting(world)
    other = make_meeting(world, projects=[world.project1_a])
    with pytest.raises(ValidationError) as exc:
        services.record_decision(
            world.user_bureau,
            meeting,
            text="x",
            agenda_item=other.agenda_items.get(),
            action_items=[row(world.dept_works_a)],
        )
    assert list(exc.value.message_dict) == ["agenda_item"]


def test_who_records_decisions(world):
    meeting = make_meeting(world)
    for username in ("department", "service_center", "city", "bureau_b", "park"):
        with pytest.raises(PermissionDenied):
            services.record_decision(
                getattr(world, f"user_{username}"),
                meeting,
                text="x",
                action_items=[row(world.dept_works_a)],
            )
    assert not Decision.objects.exists()
