"""An action item through its life: progress by the owner, completion with evidence,
closure or return (退回重办) by the supervision office; who may do what; stale versions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, ProgressKind
from zhaoshang.meetings.models import ActionItem, ActionProgress
from zhaoshang.meetings.tests.factories import make_item
from zhaoshang.notifications.models import Notification


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def pdf(name: str = "办结报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def fresh(item) -> ActionItem:
    return ActionItem.objects.get(pk=item.pk)


def test_the_owner_reports_progress_then_done_and_the_office_closes(world):
    item = make_item(world)
    services.report_progress(world.user_department, item, "已完成现场踏勘", day("2026-06-15"))
    item = fresh(item)
    assert item.status == ActionStatus.IN_PROGRESS and item.version == 2
    services.complete_action_item(world.user_officer, item, "已接入施工用电", pdf())
    item = fresh(item)
    assert item.status == ActionStatus.AWAITING_CONFIRMATION
    assert item.completed_on == day("2026-06-15")
    completion = ActionProgress.objects.get(action_item=item, kind=ProgressKind.COMPLETION)
    assert completion.file_name == "办结报告.pdf" and completion.file.read().startswith(b"%PDF")
    told = Notification.objects.filter(verb="action_item.completed")
    assert list(told.values_list("recipient__username", flat=True)) == ["supervisor"]
    services.close_action_item(world.user_supervisor, item, "经核实，已办结")
    item = fresh(item)
    assert item.status == ActionStatus.CLOSED and item.is_closed
    assert item.closed_by == world.user_supervisor and item.closed_on == day("2026-06-15")
    verbs = list(DomainEvent.objects.for_object(item).order_by("id").values_list("verb", flat=True))
    assert verbs == [
        "action_item.created",
        "action_item.progress",
        "action_item.completed",
        "action_item.closed",
    ]
    assert not LedgerEntry.objects.exists()  # done in time


def test_sent_back_with_a_new_due_date(world):
    item = make_item(world)
    services.complete_action_item(world.user_department, item, "已办结", pdf())
    services.return_action_item(
        world.user_supervisor, fresh(item), "佐证材料不全，缺供电公司回函", day("2026-06-30")
    )
    item = fresh(item)
    assert item.status == ActionStatus.RETURNED and item.is_open
    assert item.due_on == day("2026-06-30") and item.completed_on is None
    assert ActionProgress.objects.filter(action_item=item, kind=ProgressKind.RETURN).exists()
    told = Notification.objects.filter(verb="action_item.returned")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "department",
        "officer",
        "outsider",
    }
    # Redone: progress puts it back in progress, then it is done again.
    services.report_progress(world.user_department, item, "补充回函")
    assert fresh(item).status == ActionStatus.IN_PROGRESS


def test_completion_needs_the_evidence_and_a_description(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as exc:
        services.complete_action_item(world.user_department, item, "已办结", None)
    assert exc.value.message_dict == {
        "evidence": ["Attach the evidence of completion: a document, a photo or a scan."]
    }
    with pytest.raises(ValidationError) as exc:
        services.complete_action_item(world.user_department, item, " ", pdf())
    assert list(exc.value.message_dict) == ["text"]
    lying = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as exc:
        services.complete_action_item(world.user_department, item, "已办结", lying)
    assert "does not match its extension" in exc.value.message_dict["evidence"][0]
    assert fresh(item).status == ActionStatus.NOT_STARTED
    assert not ActionProgress.objects.exists()


def test_dates_cannot_be_in_the_future_or_before_the_start(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as exc:
        services.report_progress(world.user_department, item, "x", day("2026-06-16"))
    assert exc.value.message_dict == {"recorded_on": ["The date cannot be in the future."]}
    with pytest.raises(ValidationError) as exc:
        services.report_progress(world.user_department, item, "x", day("2026-06-01"))
    assert "the start of the item" in exc.value.message_dict["recorded_on"][0]


def test_who_carries_and_who_closes(world):
    item = make_item(world, owner_person=world.user_officer)
    for username in ("outsider", "officer", "department", "admin"):
        services.report_progress(getattr(world, f"user_{username}"), fresh(item), "进展")
    for username in ("supervisor", "leader", "bureau", "park", "city", "bureau_b", "enterprise"):
        with pytest.raises(PermissionDenied):
            services.report_progress(getattr(world, f"user_{username}"), fresh(item), "进展")
    services.complete_action_item(world.user_officer, fresh(item), "已办结", pdf())
    for username in ("department", "officer", "leader", "bureau", "city", "supervisor_b"):
        with pytest.raises(PermissionDenied):
            services.close_action_item(getattr(world, f"user_{username}"), fresh(item))
    services.close_action_item(world.user_supervisor, fresh(item))


def test_the_person_in_charge_of_another_department_carries_it(world):
    item = make_item(world, owner=world.dept_land_a)
    with pytest.raises(PermissionDenied):
        services.report_progress(world.user_department, item, "进展")
    services.update_action_item(
        world.user_supervisor, fresh(item), {"owner_department": world.dept_works_a}
    )
    services.report_progress(world.user_department, fresh(item), "进展")


def test_actions_that_do_not_apply_are_refused(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as exc:
        services.close_action_item(world.user_supervisor, item)
    assert exc.value.message_dict == {"status": ["This cannot be done while it is “Not started”."]}
    services.complete_action_item(world.user_department, item, "已办结", pdf())
    with pytest.raises(ValidationError):
        services.report_progress(world.user_department, fresh(item), "再报进展")
    with pytest.raises(ValidationError) as exc:
        services.return_action_item(world.user_supervisor, fresh(item), "")
    assert list(exc.value.message_dict) == ["reason"]


def test_a_stale_version_changes_nothing(world):
    item = make_item(world)
    read = item.version
    services.report_progress(world.user_department, item, "第一次进展", expected_version=read)
    with pytest.raises(ConcurrentEditError):
        services.report_progress(world.user_officer, item, "第二次进展", expected_version=read)
    assert ActionProgress.objects.filter(action_item=item).count() == 1


def test_done_late_writes_the_ledger_once(world, _frozen_time):
    item = make_item(world, due_workdays=1)  # due Tuesday 16 June
    _frozen_time.move_to(datetime.datetime(2026, 6, 18, 10, 0, tzinfo=datetime.UTC))
    services.complete_action_item(world.user_department, item, "已办结", pdf())
    entry = LedgerEntry.objects.get(rule_code=RuleCode.OVERDUE_ACTION_ITEM)
    assert entry.department == world.dept_works_a and entry.occurred_on == day("2026-06-18")
    assert entry.evidence == fresh(item)
    assert services.scan_overdue().recorded == 0  # awaiting confirmation: not overdue


def test_update_by_the_supervision_office(world):
    item = make_item(world, owner_person=world.user_officer)
    services.update_action_item(
        world.user_supervisor,
        item,
        {"owner_department": world.dept_land_a, "due_workdays": 10},
        expected_version=item.version,
    )
    item = fresh(item)
    assert item.owner_department == world.dept_land_a
    assert item.owner_person is None  # the officer is not of 国土局
    assert item.due_workdays == 10 and item.due_on == day("2026-06-30")
    with pytest.raises(PermissionDenied):
        services.update_action_item(world.user_department, item, {"title": "x"})
    with pytest.raises(ValidationError) as exc:
        services.update_action_item(world.user_supervisor, item, {"owner_department": None})
    assert list(exc.value.message_dict) == ["owner_department"]
