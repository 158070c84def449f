"""An approval case through its life: due dates from (start, limit, calendar, pauses)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.notifications.models import Notification


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(world, catalogue):
    """The 备案 case (no prerequisites, 3 working days) of project1_a, registered on 06-01."""
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False):
        return services.register_case(
            world.user_service_center, world.project1_a, catalogue["XM-01"]
        )


def test_due_is_the_third_working_day_after_complete_materials(world, case, handler_for):
    handler = handler_for(case.item)
    case = services.mark_materials_complete(handler, case, day("2026-06-15"))
    assert case.due_on == day("2026-06-18") and not case.due_is_provisional


def test_the_dragon_boat_holiday_does_not_count(world, case, handler_for):
    # 2026-06-19 (Friday) is the Dragon Boat Festival: Thu 18, Mon 22, Tue 23.
    handler = handler_for(case.item)
    with time_machine.travel("2026-06-17 10:00 +0800", tick=False):
        case = services.mark_materials_complete(handler, case, day("2026-06-17"))
    assert case.due_on == day("2026-06-23")


def test_accept_needs_complete_materials_or_a_pledge(world, case, handler_for):
    handler = handler_for(case.item)
    with pytest.raises(ValidationError) as exc:
        services.accept_case(handler, case, day("2026-06-15"))
    assert "materials_complete_on" in exc.value.error_dict
    case = services.accept_case(
        handler,
        case,
        day("2026-06-15"),
        pledge_materials="法定代表人身份证明",
        pledge_due_on=day("2026-06-22"),
    )
    assert case.status == CaseStatus.ACCEPTED and case.materials_complete_on == day("2026-06-15")
    assert case.due_on == day("2026-06-18")


def test_only_the_holding_department_acts(world, case, handler_for):
    case = services.mark_materials_complete(world.user_service_center, case, day("2026-06-15"))
    for who in ("department", "bureau", "leader", "city", "service_center", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.accept_case(getattr(world, f"user_{who}"), case, day("2026-06-15"))
    assert (
        services.accept_case(handler_for(case.item), case, day("2026-06-15")).status
        == CaseStatus.ACCEPTED
    )


def test_pause_extends_the_due_date_by_the_paused_working_days(world, case, handler_for):
    handler = handler_for(case.item)
    case = services.mark_materials_complete(handler, case, day("2026-06-08"))
    case = services.accept_case(handler, case, day("2026-06-08"))
    assert case.due_on == day("2026-06-11")
    case = services.pause_case(
        handler, case, PauseKind.EXPERT_REVIEW, "专家评审", day("2026-06-09")
    )
    assert case.paused and case.due_on == day("2026-06-11")  # frozen while the pause is open
    case = services.resume_case(handler, case, day("2026-06-12"))
    # Paused: the working days after 06-09 up to 06-12 (10, 11, 12) = 3 → due 06-11 + 3 → 06-16.
    assert not case.paused and case.due_on == day("2026-06-16")


def test_supplement_before_materials_are_complete_has_no_clock(world, case, handler_for):
    handler = handler_for(case.item)
    case = services.pause_case(
        handler, case, PauseKind.SUPPLEMENT, "缺少可研报告", day("2026-06-15")
    )
    assert case.status == CaseStatus.SUPPLEMENT and case.due_on is None
    case = services.resume_case(handler, case, day("2026-06-15"))
    assert case.status == CaseStatus.PENDING and case.due_on == day("2026-06-18")


def test_extension_only_with_reason_and_an_approver(world, case, handler_for):
    handler = handler_for(case.item)
    case = services.mark_materials_complete(handler, case, day("2026-06-15"))
    case = services.accept_case(handler, case, day("2026-06-15"))
    with pytest.raises(ValidationError) as exc:
        services.extend_case(handler, case, "", world.user_leader)
    assert "extension_reason" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.extend_case(handler, case, "需现场踏勘", world.user_bureau)
    assert "extension_approver" in exc.value.error_dict
    case = services.extend_case(handler, case, "需现场踏勘", world.user_leader)
    # 10 working days after 06-15, across the Dragon Boat holiday (06-19): 06-30.
    assert case.extended and case.due_on == day("2026-06-30")
    assert case.extension_approver == world.user_leader


def test_recomputation_keeps_pauses_when_the_limit_changes(world, case, handler_for):
    handler = handler_for(case.item)
    with time_machine.travel("2026-06-26 10:00 +0800", tick=False):
        case = services.mark_materials_complete(handler, case, day("2026-06-15"))
        case = services.accept_case(handler, case, day("2026-06-15"))
        case = services.pause_case(handler, case, PauseKind.HEARING, "听证", day("2026-06-16"))
        case = services.resume_case(handler, case, day("2026-06-18"))  # 17, 18 paused
        assert case.due_on == day("2026-06-23")  # 06-18 + 2 working days (19 is a holiday)
        case = services.extend_case(handler, case, "听证后补充论证", world.user_leader)
    # 10 + 2 paused = 12 working days after 06-15.
    assert case.due_on == day("2026-07-02")
    assert services.compute_due(case).date == case.due_on


def test_complete_notifies_the_enterprise_and_late_completion_writes_the_ledger_once(
    world, case, handler_for
):
    handler = handler_for(case.item)
    with time_machine.travel("2026-06-10 10:00 +0800", tick=False):
        case = services.mark_materials_complete(handler, case, day("2026-06-10"))
        case = services.accept_case(handler, case, day("2026-06-10"))
    assert case.due_on == day("2026-06-15")
    services.scan_overdue(day("2026-06-16"))
    services.scan_overdue(day("2026-06-17"))
    [done] = services.complete_case(handler, case, day("2026-06-15"))
    assert done.status == CaseStatus.DONE
    assert Notification.objects.filter(recipient=world.user_enterprise, verb="case.done").exists()
    assert LedgerEntry.objects.count() == 1  # overdue on the 16th, recorded once
    assert LedgerEntry.objects.get().department == case.item.department


def test_scan_overdue_is_idempotent_and_skips_paused_cases(world, case, handler_for):
    handler = handler_for(case.item)
    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        case = services.mark_materials_complete(handler, case, day("2026-06-01"))
        case = services.accept_case(handler, case, day("2026-06-01"))
    assert services.scan_overdue(day("2026-06-15")) == 1
    assert services.scan_overdue(day("2026-06-15")) == 0
    entry = LedgerEntry.objects.get()
    assert entry.points < 0 and entry.evidence == case


def test_transfer_keeps_the_clock_and_attributes_days(world, case, handler_for, catalogue):
    handler = handler_for(case.item)
    with time_machine.travel("2026-06-08 10:00 +0800", tick=False):
        case = services.mark_materials_complete(handler, case, day("2026-06-08"))
        case = services.accept_case(handler, case, day("2026-06-08"))
    due = case.due_on
    other = catalogue["GC-02"].department
    services.transfer_case(
        world.user_service_center, case, other, "属住建部门职责", day("2026-06-10")
    )
    case.refresh_from_db()
    assert case.department == other and case.due_on == due
    held = services.days_held_by_department(case, day("2026-06-15"))
    assert held == {catalogue["XM-01"].department_id: 2, other.pk: 3}


def test_return_needs_a_reason(world, case, handler_for):
    handler = handler_for(case.item)
    with pytest.raises(ValidationError):
        services.return_case(handler, case, " ", day("2026-06-15"))
    case = services.return_case(handler, case, "不符合产业政策", day("2026-06-15"))
    assert case.status == CaseStatus.RETURNED


def test_report_upward_then_the_answer_completes(world, catalogue, handler_for):
    case = services.register_case(world.user_service_center, world.project2_a, catalogue["XM-04"])
    # prerequisite 备案 first
    first = services.register_case(world.user_service_center, world.project2_a, catalogue["XM-01"])
    h1 = handler_for(first.item)
    first = services.mark_materials_complete(h1, first, day("2026-06-15"))
    first = services.accept_case(h1, first, day("2026-06-15"))
    services.complete_case(h1, first, day("2026-06-15"))
    handler = handler_for(case.item)
    case = services.mark_materials_complete(handler, case, day("2026-06-15"))
    case = services.accept_case(handler, case, day("2026-06-15"))
    case = services.report_upward(handler, case, "市生态环境局", day("2026-06-15"))
    assert case.status == CaseStatus.REPORTED
    with pytest.raises(ValidationError):
        services.complete_case(handler, case, day("2026-06-15"))
    [case] = services.complete_case(handler, case, day("2026-06-15"), answer="同意批复")
    assert case.status == CaseStatus.DONE and case.higher_answer == "同意批复"


def test_dates_in_the_future_are_refused(world, case, handler_for):
    with pytest.raises(ValidationError) as exc:
        services.mark_materials_complete(handler_for(case.item), case, day("2026-06-16"))
    assert "future" in str(exc.value)


def test_a_stale_version_is_told(world, case, handler_for):
    handler = handler_for(case.item)
    stale = case.version
    services.mark_materials_complete(handler, case, day("2026-06-15"), expected_version=stale)
    with pytest.raises(ValidationError) as exc:
        services.accept_case(handler, case, day("2026-06-15"), expected_version=stale)
    assert exc.value.code == "concurrent_edit"


@pytest.mark.parametrize(
    ("natural_days", "allowed"),
    [
        (12, True),  # 06-27 by the normal limit; 10 working days end on 06-30: longer
        (20, False),  # 07-05 by the normal limit: the special limit would shorten it
    ],
)
def test_extension_of_a_natural_day_limit_compares_the_dates(
    world, catalogue, handler_for, natural_days, allowed
):
    from zhaoshang.approvals.choices import LimitUnit

    item = catalogue["XM-01"]
    item.time_limit, item.time_limit_unit = natural_days, LimitUnit.NATURAL_DAY
    item.save()
    case = services.register_case(world.user_service_center, world.project1_a, item)
    handler = handler_for(item)
    case = services.mark_materials_complete(handler, case, day("2026-06-15"))
    case = services.accept_case(handler, case, day("2026-06-15"))
    if allowed:
        case = services.extend_case(handler, case, "需现场踏勘", world.user_leader)
        assert case.extended and case.due_on == day("2026-06-30")
    else:
        with pytest.raises(ValidationError) as exc:
            services.extend_case(handler, case, "需现场踏勘", world.user_leader)
        assert "not longer" in str(exc.value)
        case.refresh_from_db()
        assert not case.extended and case.due_on == day("2026-07-05")
