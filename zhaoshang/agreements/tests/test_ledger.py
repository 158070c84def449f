"""Missed obligations and milestones are recorded once, for the party that missed them: a
milestone past its due date costs its owner department a ledger entry; a department's
missed obligation a breach and a ledger entry; the enterprise's a breach only (the exit
mechanism reads it; the departments' ledger does not hold it). The scan is set-based and
safe to run twice; so is the management command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Milestone, ObligationBreach
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification

TODAY = day("2026-06-15")


@pytest.fixture
def late_schedule(world, make_commitment):
    """A commitment planned from 2026-05-04 to 2026-06-12: its two milestones are past due
    today; the first owned by 国土局, the second by the committing 建设局."""
    return make_commitment(
        start_on=day("2026-05-04"),
        target_on=day("2026-06-12"),
        steps=[Step("土地移交", 3, world.dept_land_a), Step("发证", 2)],
    )


def entries(code):
    return LedgerEntry.objects.filter(rule_code=code)


def test_a_missed_milestone_writes_one_entry_for_its_owner_department(world, late_schedule):
    first, second = late_schedule.milestones.order_by("seq")
    result = services.scan(TODAY)
    assert result.missed_milestones == 2
    rows = entries(RuleCode.MISSED_MILESTONE)
    assert {(e.evidence_id, e.department_id) for e in rows} == {
        (first.pk, world.dept_land_a.pk),
        (second.pk, world.dept_works_a.pk),
    }
    # the entry is dated the first working day after the due date
    entry = rows.get(evidence_id=second.pk)
    assert second.due_on == day("2026-06-12") and entry.occurred_on == day("2026-06-15")
    assert "发证" in entry.reason and entry.points == Decimal("-1")
    assert services.scan(TODAY).missed_milestones == 0
    assert rows.count() == 2
    assert DomainEvent.objects.filter(verb="milestone.missed").count() == 2


def test_a_milestone_done_late_writes_its_entry_at_once_and_only_once(world, late_schedule):
    first = late_schedule.milestones.order_by("seq").first()
    services.report_progress(world.user_bureau, first, progress=100, done_on=day("2026-06-12"))
    assert entries(RuleCode.MISSED_MILESTONE).filter(evidence_id=first.pk).count() == 1
    services.scan(TODAY)
    services.scan(TODAY)
    assert entries(RuleCode.MISSED_MILESTONE).filter(evidence_id=first.pk).count() == 1


def test_a_milestone_done_on_its_due_date_writes_nothing(world, late_schedule):
    first, second = late_schedule.milestones.order_by("seq")
    services.report_progress(world.user_department, first, progress=100, done_on=first.due_on)
    services.report_progress(world.user_department, second, progress=100, done_on=second.due_on)
    assert services.scan(TODAY).missed_milestones == 0
    assert not entries(RuleCode.MISSED_MILESTONE).exists()
    late_schedule.refresh_from_db()
    assert late_schedule.completed_on == second.due_on


def test_an_open_milestone_due_today_is_not_missed(world, make_commitment):
    make_commitment(start_on=day("2026-06-01"), target_on=TODAY, steps=[Step("A", 3)])
    assert services.scan(TODAY).missed_milestones == 0
    assert Milestone.objects.with_state(TODAY).get().light == "yellow"


@pytest.fixture
def obligations(world, make_agreement):
    agreement = make_agreement(schedule=[(day("2026-05-31"), Decimal("1000"))])
    department = services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_land_a,
        kind=ObligationKind.SERVICE,
        title="交付净地",
        target_text="完成场地平整并移交企业",
        due_on=day("2026-06-10"),
    )
    enterprise = agreement.obligations.get(term="schedule")
    return department, enterprise


def test_a_department_obligation_missed_is_a_breach_and_one_ledger_entry(world, obligations):
    department_ob, _enterprise_ob = obligations
    result = services.scan(TODAY)
    assert (result.breaches, result.department_breaches) == (2, 1)
    breach = ObligationBreach.objects.get(obligation=department_ob)
    assert (breach.party, breach.department) == (Party.DEPARTMENT, world.dept_land_a)
    (entry,) = entries(RuleCode.MISSED_OBLIGATION)
    assert entry.department == world.dept_land_a and entry.evidence == department_ob
    assert entry.points == Decimal("-2")
    services.scan(TODAY)
    assert entries(RuleCode.MISSED_OBLIGATION).count() == 1
    assert ObligationBreach.objects.count() == 2


def test_an_enterprise_obligation_missed_is_a_breach_outside_the_ledger(world, obligations):
    _department_ob, enterprise_ob = obligations
    services.scan(TODAY)
    breach = ObligationBreach.objects.get(obligation=enterprise_ob)
    assert breach.party == Party.ENTERPRISE and breach.department is None
    assert breach.enterprise == world.enterprise1_a and breach.project == world.project1_a
    assert breach.due_on == day("2026-05-31") and breach.occurred_on == day("2026-06-01")
    assert (
        not LedgerEntry.objects.filter(evidence_id=enterprise_ob.pk)
        .exclude(rule_code=RuleCode.MISSED_OBLIGATION)
        .exists()
    )
    assert not entries(RuleCode.MISSED_OBLIGATION).filter(evidence_id=enterprise_ob.pk).exists()
    # the project team is told
    assert Notification.objects.filter(
        recipient=world.user_secretary, verb="obligation.missed"
    ).exists()


def test_nothing_due_yet_writes_nothing(world, make_agreement, make_commitment):
    make_agreement(schedule=[(day("2026-12-31"), Decimal("20000"))])
    make_commitment()
    assert services.scan(TODAY) == services.ScanResult(0, 0, 0)


def test_the_command_is_safe_to_run_twice(world, obligations, late_schedule):
    out = io.StringIO()
    call_command("agreements_scan", "--date", "2026-06-15", stdout=out)
    assert (
        "breaches recorded: 2 (of departments: 1); missed milestones recorded: 2" in out.getvalue()
    )
    out = io.StringIO()
    call_command("agreements_scan", "--date", "2026-06-15", stdout=out)
    assert (
        "breaches recorded: 0 (of departments: 0); missed milestones recorded: 0" in out.getvalue()
    )


def _late_things(world, agreement, make_commitment, n: int) -> None:
    for i in range(n):
        services.add_obligation(
            world.user_bureau,
            agreement,
            party=Party.DEPARTMENT,
            department=world.dept_land_a if i % 2 else world.dept_works_a,
            kind=ObligationKind.SERVICE,
            title=f"交付净地{i}",
            target_text="完成场地平整并移交企业",
            due_on=day("2026-06-10"),
        )
        make_commitment(
            start_on=day("2026-05-04"),
            target_on=day("2026-06-12"),
            steps=[Step("土地移交", 3, world.dept_land_a), Step("发证", 2)],
        )


def test_the_scan_is_set_based_the_same_queries_for_3_and_30(
    world, make_agreement, make_commitment
):
    """Every set is found by one query and written by bulk inserts: the scan's query count
    does not grow with the number of missed obligations and milestones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agreement = make_agreement(schedule=[(day("2026-12-31"), Decimal("1000"))])
    counts = []
    for n in (1, 3, 30):  # the first run also creates the district's rules
        _late_things(world, agreement, make_commitment, n)
        with CaptureQueriesContext(connection) as ctx:
            result = services.scan(TODAY)
        assert (result.department_breaches, result.missed_milestones) == (n, 2 * n)
        counts.append(len(ctx))
    # SQLite caps the parameters of one statement (999), so a bulk insert of the history
    # rows may take a second statement; writing row by row would take hundreds more.
    assert counts[1] <= counts[2] <= counts[1] + 2, counts
    assert entries(RuleCode.MISSED_OBLIGATION).count() == 34
    assert entries(RuleCode.MISSED_MILESTONE).count() == 68
    assert DomainEvent.objects.filter(verb="obligation.missed").count() == 34
    assert DomainEvent.objects.filter(verb="milestone.missed").count() == 68
    # the departments' handlers are told of each
    assert Notification.objects.filter(
        recipient=world.user_department, verb="obligation.missed"
    ).exists()


def test_the_scan_writes_the_breaches_record_breach_writes(world, obligations):
    """The scan writes its breaches as plain rows in one INSERT; on the same world the
    one-by-one path (``record_breach``) writes the same breaches, entries, events and
    messages."""
    from django.db import transaction

    from zhaoshang.agreements.models import Obligation

    def rows():
        return (
            sorted(
                ObligationBreach.objects.values_list(
                    "district_id",
                    "obligation_id",
                    "project_id",
                    "party",
                    "department_id",
                    "enterprise_id",
                    "due_on",
                    "occurred_on",
                )
            ),
            sorted(
                entries(RuleCode.MISSED_OBLIGATION).values_list(
                    "district_id",
                    "department_id",
                    "year",
                    "points",
                    "reason",
                    "occurred_on",
                    "evidence_id",
                )
            ),
            sorted(
                DomainEvent.objects.filter(verb="obligation.missed").values_list(
                    "object_id", "summary", "data"
                )
            ),
            sorted(
                Notification.objects.filter(verb="obligation.missed").values_list(
                    "recipient_id", "title", "url"
                )
            ),
        )

    with transaction.atomic():
        with time_machine.travel("2026-06-15 07:00 +0800", tick=False):
            for ob in Obligation.objects.late(TODAY).order_by("due_on", "pk"):
                services.record_breach(ob)
        one_by_one = rows()
        transaction.set_rollback(True)
    with time_machine.travel("2026-06-15 07:00 +0800", tick=False):
        services.scan(TODAY)
    assert len(one_by_one[0]) == 2 and one_by_one[1] and one_by_one[3]
    assert rows() == one_by_one
