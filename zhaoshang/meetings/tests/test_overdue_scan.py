"""Overdue action items: one ledger entry for the owner department however often the scan
runs, one escalation notice per due date, and the ``meetings_scan`` command."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings import services
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.tests.factories import make_item, make_meeting, row
from zhaoshang.notifications.models import Notification


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(text: str) -> datetime.datetime:
    from zhaoshang.testing import SHANGHAI

    return datetime.datetime.combine(day(text), datetime.time(8, 0), tzinfo=SHANGHAI)


def ledger():
    return LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_ACTION_ITEM)


def test_an_overdue_item_writes_one_entry_however_often_the_scan_runs(world, _frozen_time):
    meeting = make_meeting(world, held_on=day("2026-06-15"))
    decision = services.record_decision(
        world.user_bureau,
        meeting,
        text="限期办结",
        action_items=[row(world.dept_works_a, due_workdays=2)],  # due Wednesday 17 June
    )
    item = decision.action_items.get()
    on_time = make_item(world, owner=world.dept_land_a, due_workdays=10)
    assert services.scan_overdue(day("2026-06-17")) == (0, 0)  # due today: not overdue
    _frozen_time.move_to(at("2026-06-18"))
    assert services.scan_overdue() == (1, 1)
    for _run in range(3):
        assert services.scan_overdue() == (0, 0)
    _frozen_time.move_to(at("2026-06-22"))
    assert services.scan_overdue() == (0, 0)
    entry = ledger().get()
    assert entry.department == world.dept_works_a
    assert entry.evidence == item
    assert entry.occurred_on == day("2026-06-18")  # the first working day after the due date
    assert entry.points < 0 and entry.year == 2026
    assert item.number in entry.reason
    assert not ledger().filter(evidence_id=on_time.pk).exists()
    item.refresh_from_db()
    assert item.escalated_on == day("2026-06-18")
    notices = Notification.objects.filter(verb="action_item.overdue")
    # The owner department's people, the supervision office, the chair of the meeting.
    assert set(notices.values_list("recipient__username", flat=True)) == {
        "department",
        "officer",
        "outsider",
        "supervisor",
        "leader",
    }
    assert DomainEvent.objects.for_object(item).filter(verb="action_item.overdue").count() == 1


def test_a_new_due_date_is_escalated_again_but_the_ledger_keeps_one_entry(world, _frozen_time):
    item = make_item(world, due_workdays=1)
    _frozen_time.move_to(at("2026-06-18"))
    assert services.scan_overdue() == (1, 1)
    services.update_action_item(
        world.user_supervisor, item, {"due_workdays": None, "due_on": day("2026-06-24")}
    )
    item.refresh_from_db()
    assert item.escalated_on is None
    _frozen_time.move_to(at("2026-06-26"))
    assert services.scan_overdue() == (0, 1)
    assert ledger().count() == 1


def test_items_reported_done_or_closed_are_not_overdue(world, _frozen_time):
    item = make_item(world, due_workdays=1)
    evidence = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    services.complete_action_item(world.user_department, item, "已办结", evidence)
    _frozen_time.move_to(at("2026-06-18"))
    assert services.scan_overdue() == (0, 0)
    assert not ActionItem.objects.overdue(day("2026-06-18")).exists()


def test_the_command_is_idempotent(world, _frozen_time):
    make_item(world, due_workdays=1)
    make_item(world, owner=world.dept_land_a, due_workdays=1)
    make_item(world, "b", due_workdays=1)
    _frozen_time.move_to(at("2026-06-18"))
    out = io.StringIO()
    call_command("meetings_scan", stdout=out)
    assert out.getvalue().strip() == "overdue action items recorded: 3; escalated: 3"
    out = io.StringIO()
    call_command("meetings_scan", stdout=out)
    assert out.getvalue().strip() == "overdue action items recorded: 0; escalated: 0"
    assert sorted(ledger().values_list("department__name", "district__code")) == [
        ("区国土局", "alpha"),
        ("区建设局", "alpha"),
        ("区建设局", "beta"),
    ]


def test_an_inactive_rule_writes_nothing_but_still_escalates(world, _frozen_time):
    from zhaoshang.assessment.services import rule_for

    rule = rule_for(world.district_a.pk, RuleCode.OVERDUE_ACTION_ITEM)
    rule.is_active = False
    rule.save()
    make_item(world, due_workdays=1)
    _frozen_time.move_to(at("2026-06-18"))
    assert services.scan_overdue() == (0, 1)
    assert services.scan_overdue() == (0, 0)
    assert not ledger().exists()
