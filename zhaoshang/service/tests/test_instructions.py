"""An instruction (批示) on a receipt creates its supervised action items through the
meetings app, all or nothing; bad items are refused naming the item and the field."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings.models import ActionItem
from zhaoshang.notifications.models import Notification
from zhaoshang.service import services
from zhaoshang.service.models import Instruction
from zhaoshang.service.tests.conftest import day


def _item(world, **overrides):
    item = {
        "title": "协调供电公司三个工作日内完成现场踏勘",
        "owner_department": world.dept_works_a,
        "owner_person": world.user_department,
        "due_workdays": 3,
    }
    item.update(overrides)
    return item


def test_the_leader_writes_an_instruction_that_creates_its_action_items(world, file_receipt):
    receipt = file_receipt()
    instruction = services.write_instruction(
        world.user_manager,
        receipt,
        text="请建设局牵头，尽快协调解决。",
        items=[
            _item(world),
            {"owner_department": world.dept_land_a, "due_on": day("2026-06-30")},
        ],
    )
    assert instruction.leader == world.user_manager and instruction.project == world.project1_a
    items = list(ActionItem.objects.filter(instruction=instruction).order_by("id"))
    assert len(items) == 2
    first, second = items
    assert first.owner_department == world.dept_works_a
    assert first.owner_person == world.user_department
    assert first.project == world.project1_a
    assert first.start_on == day("2026-06-15")
    assert first.due_on == day("2026-06-18")  # three working days after Monday 15 June
    assert second.title == "请建设局牵头，尽快协调解决。"  # the instruction's words
    assert second.due_on == day("2026-06-30")
    receipt.refresh_from_db()
    assert receipt.read_at is not None
    assert DomainEvent.objects.for_object(instruction).get().verb == "instruction.written"
    assert Notification.objects.filter(
        recipient=world.user_secretary, verb="instruction.written"
    ).exists()


def test_an_item_without_an_owner_department_is_refused_and_nothing_is_written(world, file_receipt):
    receipt = file_receipt()
    with pytest.raises(services.InstructionItemError) as caught:
        services.write_instruction(
            world.user_manager,
            receipt,
            text="请抓紧办理。",
            items=[_item(world), _item(world, owner_department=None, owner_person=None)],
        )
    assert caught.value.index == 1
    assert "owner_department" in caught.value.error_dict
    assert "owner department" in caught.value.error_dict["owner_department"][0].messages[0]
    assert not Instruction.objects.exists()
    assert not ActionItem.objects.exists()
    receipt.refresh_from_db()
    assert receipt.read_at is None


def test_a_due_date_before_the_start_is_refused(world, file_receipt):
    receipt = file_receipt()
    with pytest.raises(ValidationError) as caught:
        services.write_instruction(
            world.user_manager,
            receipt,
            text="请抓紧办理。",
            items=[_item(world, due_workdays=None, due_on=day("2026-06-10"))],
        )
    assert "due_on" in caught.value.error_dict
    assert not Instruction.objects.exists() and not ActionItem.objects.exists()


def test_the_owner_person_must_belong_to_the_owner_department(world, file_receipt):
    receipt = file_receipt()
    with pytest.raises(ValidationError) as caught:
        services.write_instruction(
            world.user_manager,
            receipt,
            text="请抓紧办理。",
            items=[_item(world, owner_department=world.dept_land_a)],
        )
    assert "owner_person" in caught.value.error_dict


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": "  "}, "text"),
        ({"items": []}, "items"),
        ({"written_on": day("2026-06-16")}, "written_on"),
        ({"written_on": day("2026-06-11")}, "written_on"),  # before the visit
    ],
)
def test_bad_instructions_are_refused(world, file_receipt, kwargs, field):
    receipt = file_receipt()
    arguments = {"text": "请抓紧办理。", "items": [_item(world)], **kwargs}
    with pytest.raises(ValidationError) as caught:
        services.write_instruction(world.user_manager, receipt, **arguments)
    assert field in caught.value.error_dict
    assert not Instruction.objects.exists()


@pytest.mark.parametrize("who", ["leader", "secretary", "admin", "supervisor", "city"])
def test_only_the_leader_in_charge_instructs(world, file_receipt, who):
    receipt = file_receipt()
    with pytest.raises(PermissionDenied):
        services.write_instruction(
            getattr(world, f"user_{who}"), receipt, text="阅。", items=[_item(world)]
        )
    assert not Instruction.objects.exists()


def test_the_designated_leader_may_instruct_too(world, file_receipt):
    receipt = file_receipt()
    project = world.project1_a
    project.designated_leader = world.user_leader
    project.save()
    instruction = services.write_instruction(
        world.user_leader, receipt, text="请抓紧办理。", items=[_item(world)]
    )
    assert instruction.leader == world.user_leader
    receipt.refresh_from_db()
    assert receipt.read_at is None  # it was sent to the manager, who has not read it
