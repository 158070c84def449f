"""Every form of a case reports all its errors at once, not in rounds (issue 16, point 11):
a step posted with several bad fields is refused with each field's error in the one
answer, and nothing is written."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.models import ApprovalCase, CasePause, CaseTransfer, JointDecision
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.core.models import DomainEvent

# The tests run on the frozen day, Monday 2026-06-15: 06-16 is in the future.


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(world, catalogue):
    """The 备案 case (XM-01, no prerequisites) of project1_a, registered on 06-01."""
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False):
        return services.register_case(
            world.user_service_center, world.project1_a, catalogue["XM-01"]
        )


@pytest.fixture
def accepted(case, handler_for):
    """The case with its materials complete and accepted on 06-08."""
    handler = handler_for(case.item)
    with time_machine.travel("2026-06-08 10:00 +0800", tick=False):
        case = services.mark_materials_complete(handler, case, day("2026-06-08"))
        return services.accept_case(handler, case, day("2026-06-08"))


def _refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def _unchanged(case: ApprovalCase) -> None:
    """Nothing of the refused step was written: the case keeps its version and events."""
    fresh = ApprovalCase.objects.get(pk=case.pk)
    assert fresh.version == case.version and fresh.status == case.status
    assert fresh.department_id == case.department_id and not fresh.extended


def test_transfer_names_the_department_the_reason_and_the_date_at_once(world, accepted):
    events = DomainEvent.objects.count()
    errors = _refused(
        lambda: services.transfer_case(
            world.user_service_center,
            accepted,
            accepted.department,  # the department already holding it
            " ",
            day("2026-06-16"),  # tomorrow
        )
    )
    assert errors == {
        "to_department": ["The case is already with this department."],
        "reason": ["Give the reason for the transfer."],
        "transferred_on": ["The date cannot be in the future."],
    }
    assert not CaseTransfer.objects.exists() and DomainEvent.objects.count() == events
    _unchanged(accepted)


def test_accept_names_the_date_and_the_pledge_at_once(world, case, handler_for):
    errors = _refused(
        lambda: services.accept_case(
            handler_for(case.item),
            case,
            day("2026-06-16"),  # tomorrow
            pledge_materials="法定代表人身份证明",
            pledge_due_on=None,  # a pledge without its date
        )
    )
    assert errors == {
        "accepted_on": ["The date cannot be in the future."],
        "pledge_due_on": [
            "Give the date by which the enterprise pledges the missing materials; it must "
            "be after the acceptance."
        ],
    }
    _unchanged(case)
    fresh = ApprovalCase.objects.get(pk=case.pk)
    assert fresh.accepted_on is None and fresh.pledge_materials == ""
    assert fresh.materials_complete_on is None


def test_accept_without_materials_names_the_date_too(world, case, handler_for):
    errors = _refused(lambda: services.accept_case(handler_for(case.item), case, day("2026-05-31")))
    # Registered 06-01: 05-31 is before it; no pledge and no complete materials.
    assert set(errors) == {"accepted_on", "materials_complete_on"}
    assert errors["accepted_on"] == ["The date cannot be before 2026-06-01."]
    _unchanged(case)


def test_joint_decision_names_the_cases_the_number_and_the_date_at_once(world, case):
    errors = _refused(
        lambda: services.record_joint_decision(
            world.user_leader, world.project1_a, [case], day("2026-06-16"), "  "
        )
    )
    assert errors == {
        "cases": ["Choose at least two cases of this project."],
        "document_number": ["Give the number of the meeting's decision document."],
        "decided_on": ["The date cannot be in the future."],
    }
    assert not JointDecision.objects.exists()
    _unchanged(case)


def test_pause_names_the_kind_the_reason_and_the_date_at_once(world, accepted, handler_for):
    errors = _refused(
        lambda: services.pause_case(
            handler_for(accepted.item),
            accepted,
            "nap",  # no such kind
            "",
            day("2026-06-05"),  # before the acceptance on 06-08
        )
    )
    assert errors == {
        "kind": ["Unknown kind of pause."],
        "reason": ["Give the reason for the pause."],
        "started_on": ["The date cannot be before 2026-06-08."],
    }
    assert not CasePause.objects.exists()
    _unchanged(accepted)


def test_extension_names_the_reason_the_approver_and_the_date_at_once(world, accepted, handler_for):
    errors = _refused(
        lambda: services.extend_case(
            handler_for(accepted.item),
            accepted,
            " ",
            world.user_bureau,  # not a district leader or administrator
            day("2026-06-05"),  # before the acceptance on 06-08
        )
    )
    assert errors == {
        "extension_reason": ["An extension needs the reason for the special circumstances."],
        "extension_approver": [
            "An extension needs an approver: a district leader or administrator."
        ],
        "extended_on": ["The date cannot be before 2026-06-08."],
    }
    _unchanged(accepted)
    fresh = ApprovalCase.objects.get(pk=accepted.pk)
    assert fresh.extension_reason == "" and fresh.extension_approver_id is None
    assert fresh.due_on == accepted.due_on


def test_registration_names_the_date_the_item_and_the_agent_at_once(world, case):
    count = ApprovalCase.objects.count()
    errors = _refused(
        lambda: services.register_case(
            world.user_service_center,
            world.project1_a,
            case.item,  # already registered for this project
            agent=world.user_bureau,  # not a service center agent
            applied_on=day("2026-06-16"),  # tomorrow
        )
    )
    assert errors == {
        "applied_on": ["The date cannot be in the future."],
        "item": [f"This project already has a case for “{case.item.name}”."],
        "agent": ["The agent must be a service center agent of the district."],
    }
    assert ApprovalCase.objects.count() == count


def test_the_errors_are_in_chinese_for_a_chinese_user(world, accepted, handler_for):
    with translation.override("zh-hans"):
        errors = _refused(
            lambda: services.pause_case(
                handler_for(accepted.item), accepted, "nap", "", day("2026-06-05")
            )
        )
    assert set(errors) == {"kind", "reason", "started_on"}
    for messages in errors.values():
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
