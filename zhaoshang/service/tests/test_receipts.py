"""Receipts (回执单): filed by the project team only, numbered, sent to the leader in charge,
read once, corrected by the filer with history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.models import Counter, DomainEvent
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import ProjectTeamMember
from zhaoshang.service import services
from zhaoshang.service.choices import ReceiptResult
from zhaoshang.service.models import Receipt
from zhaoshang.service.tests.conftest import day


def test_the_secretary_files_a_receipt_sent_to_the_project_manager(world, file_receipt):
    receipt = file_receipt()
    assert receipt.number == "HZ-2026-0001"
    assert receipt.addressee == world.user_manager
    assert receipt.filed_by == world.user_secretary
    assert receipt.read_at is None
    note = Notification.objects.get(recipient=world.user_manager, verb="receipt.filed")
    assert "HZ-2026-0001" in note.title and note.url == receipt.get_absolute_url()
    event = DomainEvent.objects.for_object(receipt).get()
    assert event.verb == "receipt.filed" and event.actor == world.user_secretary
    assert receipt.history.count() == 1


@pytest.mark.parametrize("who", ["secretary", "officer", "manager"])
def test_every_member_of_the_team_may_file(world, file_receipt, who):
    assert file_receipt(user=getattr(world, f"user_{who}")).pk


@pytest.mark.parametrize("who", ["outsider", "bureau", "admin", "leader", "department", "city"])
def test_nobody_outside_the_team_files_and_nothing_is_saved(world, file_receipt, who):
    with pytest.raises(ValidationError) as caught:
        file_receipt(user=getattr(world, f"user_{who}"))
    error = caught.value.error_dict["project"][0]
    assert error.code == "not_team"
    assert "project team" in error.messages[0] and world.project1_a.name in error.messages[0]
    assert not Receipt.objects.exists()
    assert not Counter.objects.filter(key__startswith="receipt-").exists()
    assert not Notification.objects.filter(verb="receipt.filed").exists()


def test_numbers_run_per_district(world, file_receipt):
    first = file_receipt()
    second = file_receipt(user=world.user_officer)
    other = file_receipt(user=world.user_secretary_b, project=world.project1_b)
    assert [first.number, second.number, other.number] == [
        "HZ-2026-0001",
        "HZ-2026-0002",
        "HZ-2026-0001",
    ]


def test_without_a_manager_the_designated_leader_receives_it(world, file_receipt):
    ProjectTeamMember.objects.filter(project=world.project1_a, role="manager").delete()
    project = world.project1_a
    project.designated_leader = world.user_leader
    project.save()
    assert file_receipt().addressee == world.user_leader


def test_without_any_leader_in_charge_it_is_filed_unsent(world, file_receipt):
    ProjectTeamMember.objects.filter(project=world.project1_a, role="manager").delete()
    project = world.project1_a
    project.designated_leader = None
    project.save()
    receipt = file_receipt()
    assert receipt.addressee is None
    assert not Notification.objects.filter(verb="receipt.filed").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"visited_on": day("2026-06-16")}, "visited_on", "future"),
        ({"visited_on": None}, "visited_on", "date of the visit"),
        ({"department": None}, "department", "department"),
        ({"handler_name": "  "}, "handler_name", "handler"),
        ({"matter": ""}, "matter", "about"),
        ({"work_done": ""}, "work_done", "done"),
        ({"result": "maybe"}, "result", "result"),
        (
            {"result": ReceiptResult.NEEDS_COORDINATION, "problems": ""},
            "problems",
            "needs coordination",
        ),
    ],
)
def test_bad_content_is_refused_naming_the_field(file_receipt, overrides, field, words):
    with pytest.raises(ValidationError) as caught:
        file_receipt(**overrides)
    assert field in caught.value.error_dict
    assert words in caught.value.error_dict[field][0].messages[0]
    assert not Receipt.objects.exists()


def test_a_department_of_another_district_is_refused(world, file_receipt):
    with pytest.raises(ValidationError) as caught:
        file_receipt(department=world.dept_works_b)
    assert "department" in caught.value.error_dict


def test_the_case_must_be_the_projects_own(world, file_receipt):
    with pytest.raises(ValidationError) as caught:
        file_receipt(approval_case=world.case_out_a)
    assert "approval_case" in caught.value.error_dict
    receipt = file_receipt(approval_case=world.case_a)
    assert receipt.approval_case == world.case_a


def test_the_handler_account_must_belong_to_the_department(world, file_receipt):
    with pytest.raises(ValidationError) as caught:
        file_receipt(handler_user=world.user_service_center)
    assert "handler_user" in caught.value.error_dict
    receipt = file_receipt(handler_user=world.user_department, handler_name="")
    assert receipt.handler_name == world.user_department.display_name


def test_only_the_addressee_marks_it_read_once(world, file_receipt):
    receipt = file_receipt()
    assert not services.mark_receipt_read(world.user_leader, receipt)
    assert services.mark_receipt_read(world.user_manager, receipt)
    receipt.refresh_from_db()
    first = receipt.read_at
    assert first is not None
    assert not services.mark_receipt_read(world.user_manager, receipt)
    receipt.refresh_from_db()
    assert receipt.read_at == first
    assert DomainEvent.objects.for_object(receipt).filter(verb="receipt.read").count() == 1


def test_the_filer_corrects_with_a_reason_and_the_history_keeps_both(world, file_receipt):
    receipt = file_receipt()
    services.mark_receipt_read(world.user_manager, receipt)
    receipt.refresh_from_db()
    corrected = services.correct_receipt(
        world.user_secretary,
        receipt,
        reason="办理结果填错",
        expected_version=receipt.version,
        result=ReceiptResult.DONE,
    )
    assert corrected.result == ReceiptResult.DONE
    assert corrected.read_at is None  # the leader sees it again
    versions = list(receipt.history.order_by("history_id").values_list("result", flat=True))
    assert versions[0] == ReceiptResult.IN_PROGRESS and versions[-1] == ReceiptResult.DONE
    assert Notification.objects.filter(
        recipient=world.user_manager, verb="receipt.corrected"
    ).exists()


def test_nobody_else_corrects_and_stale_versions_are_refused(world, file_receipt):
    receipt = file_receipt()
    for user in (world.user_officer, world.user_manager, world.user_admin):
        with pytest.raises(PermissionDenied):
            services.correct_receipt(user, receipt, reason="x", result=ReceiptResult.DONE)
    with pytest.raises(ValidationError) as caught:
        services.correct_receipt(
            world.user_secretary, receipt, reason="", result=ReceiptResult.DONE
        )
    assert "correction_reason" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        services.correct_receipt(
            world.user_secretary, receipt, reason="x", expected_version=receipt.version + 1
        )
    assert caught.value.code == "concurrent_edit"
    with pytest.raises(ValidationError):
        services.correct_receipt(world.user_secretary, receipt, reason="nothing changed")
    receipt.refresh_from_db()
    assert receipt.version == 1
