"""Nobody is docked for a period before the platform was in use (issue 20): a breach whose
duty fell due before its district's go-live date (上线日期) writes no ledger entry — a case
brought in overdue from the district's ledger (补录) is its history, not the platform's."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.assessment.services import RuleHit, write_rule_entries, write_rule_entry
from zhaoshang.org.models import District, User

D = datetime.date
GO_LIVE = D(2026, 6, 1)


@pytest.fixture
def live(world):
    District.objects.filter(pk=world.district_a.pk).update(go_live_on=GO_LIVE)


def test_a_duty_due_before_go_live_writes_no_entry(world, live):
    args = (RuleCode.MISSED_OBLIGATION, world.dept_works_a)
    assert (
        write_rule_entry(*args, world.project1_a, "旧账", D(2026, 6, 3), due_on=D(2026, 5, 31))
        is None
    )
    entry = write_rule_entry(*args, world.project2_a, "新账", D(2026, 6, 3), due_on=GO_LIVE)
    assert entry is not None and entry.reason == "新账"
    # Without a due date, the day of the breach decides.
    assert write_rule_entry(*args, world.enterprise1_a, "旧", D(2026, 5, 20)) is None
    assert LedgerEntry.objects.count() == 1


def test_another_districts_date_does_not_count(world, live):
    entry = write_rule_entry(
        RuleCode.MISSED_OBLIGATION,
        world.dept_works_b,
        world.project1_b,
        "乙区",
        D(2026, 5, 4),
        due_on=D(2026, 4, 30),
    )
    assert entry is not None


def test_the_bulk_writer_skips_the_duties_due_before_go_live(
    world, live, django_assert_max_num_queries
):
    hits = [
        RuleHit(world.dept_works_a, world.project1_a, "旧", D(2026, 6, 2), D(2026, 5, 29)),
        RuleHit(world.dept_works_a, world.project2_a, "新", D(2026, 6, 5), D(2026, 6, 4)),
        RuleHit(world.dept_works_b, world.project1_b, "乙", D(2026, 5, 2), D(2026, 4, 30)),
    ]
    written = write_rule_entries(RuleCode.MISSED_MILESTONE, hits)
    assert [h.reason for h in written] == ["新", "乙"]
    assert set(LedgerEntry.objects.values_list("reason", flat=True)) == {"新", "乙"}
    # One query reads the districts' dates, whatever the number of hits.
    many = [
        RuleHit(world.dept_works_a, world.project1_a, f"旧{n}", D(2026, 5, 2), D(2026, 5, 1))
        for n in range(20)
    ]
    with django_assert_max_num_queries(1):
        assert write_rule_entries(RuleCode.MISSED_OBLIGATION, many) == []


def _handler(world, item):
    user = User.objects.create(
        username=f"handler{item.department_id}",
        district=world.district_a,
        department=item.department,
        rank="general",
        real_name="经办人",
    )
    user.groups.add(Group.objects.get(name="department"))
    return user


def _accepted_case(world, project, item, handler, on: str):
    with time_machine.travel(f"{on} 09:00 +0800", tick=False):
        case = approvals.register_case(world.user_service_center, project, item)
        case = approvals.mark_materials_complete(handler, case, D.fromisoformat(on))
        return approvals.accept_case(handler, case, D.fromisoformat(on))


def test_a_case_overdue_before_go_live_docks_nobody(world, live):
    """The daily scan: the case due before the go-live date writes no entry (and is looked
    at again to no effect); the one due after it docks its department."""
    catalogue = {item.code: item for item in seed_catalogue(world.district_a)}
    item = catalogue["XM-01"]  # 备案: 3 working days
    handler = _handler(world, item)
    old = _accepted_case(world, world.project1_a, item, handler, "2026-05-20")
    new = _accepted_case(world, world.project2_a, item, handler, "2026-06-03")
    assert old.due_on < GO_LIVE <= new.due_on
    assert approvals.scan_overdue() == 1
    (entry,) = LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_CASE)
    assert entry.evidence_id == new.pk
    assert approvals.scan_overdue() == 0
    assert not LedgerEntry.objects.filter(evidence_id=old.pk, rule_code=RuleCode.OVERDUE_CASE)
