"""One ledger entry per (rule, evidence, department) (issue 16, point 3): a case made late
by another department's prerequisite docks that department; when the holder then overruns
its own limit too, the holder is docked once as well. Working days counted by hand on the
2026 arrangement (端午: Friday 2026-06-19 off)."""

from __future__ import annotations

import time_machine

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import Party
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry, RuleCode


def _entries(case):
    return list(
        LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_CASE, evidence_id=case.pk)
        .select_related("department")
        .order_by("pk")
    )


def test_the_prerequisite_department_then_the_holder_each_answer_once(
    world, catalogue, handler_for
):
    """用地预审 (国土局, 3 working days) needs 备案 (发改局) first. 预审's materials are
    complete Monday 06-08: due 06-11 (9, 10, 11). 备案 is done Monday 06-15, so 预审 waits
    9, 10, 11, 12, 15 for it: 2 working days (12, 15) beyond its limit, all 发改局's.
    Accepted 06-15, 国土局's own days are 16, 17, 18 (3 = its limit), 19 is 端午, and
    Monday 06-22 is its fourth: it overruns its own limit too."""
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False):
        filing = services.register_case(
            world.user_service_center, world.project1_a, catalogue["XM-01"]
        )
        land = services.register_case(
            world.user_service_center, world.project1_a, catalogue["XM-02"]
        )
    ndrc, land_handler = handler_for(catalogue["XM-01"]), handler_for(catalogue["XM-02"])
    with time_machine.travel("2026-06-12 10:00 +0800", tick=False):
        land = services.mark_materials_complete(land_handler, land, day("2026-06-08"))
        assert land.due_on == day("2026-06-11")
        filing = services.mark_materials_complete(ndrc, filing, day("2026-06-10"))
        filing = services.accept_case(ndrc, filing, day("2026-06-10"))
        # Friday: days 9, 10, 11, 12 are all 发改局's (4 > 3): 发改局 answers.
        assert services.scan_overdue(day("2026-06-12")) == 1
    (first,) = _entries(land)
    assert first.department == filing.department != land.department
    assert (first.occurred_on, first.year) == (day("2026-06-12"), 2026)
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        (filing,) = services.complete_case(ndrc, filing, day("2026-06-15"))
        land = services.accept_case(land_handler, land, day("2026-06-15"))
        # 5 days 发改局's, none 国土局's yet: 发改局 again, already docked.
        assert services.scan_overdue(day("2026-06-15")) == 0
    with time_machine.travel("2026-06-18 10:00 +0800", tick=False):
        # 国土局's own 16, 17, 18 = 3, not past its limit: nothing new.
        assert services.scan_overdue(day("2026-06-18")) == 0
    assert _entries(land) == [first]
    with time_machine.travel("2026-06-22 10:00 +0800", tick=False):
        result = services.attribute(land)
        assert (result.late_party, result.late_department_id) == (
            Party.DEPARTMENT,
            land.department_id,
        )
        # Own 16, 17, 18, 22 = 4 > 3: 国土局 answers for its own days, dated 06-22 (its
        # first own day past the limit), still in 2026 (due 06-11).
        assert services.scan_overdue(day("2026-06-22")) == 1
        assert services.scan_overdue(day("2026-06-22")) == 0  # run twice: nothing more
    with time_machine.travel("2026-06-23 10:00 +0800", tick=False):
        assert services.scan_overdue(day("2026-06-23")) == 0
        (land,) = services.complete_case(land_handler, land, day("2026-06-23"))
    first_again, second = _entries(land)
    assert first_again == first
    assert second.department == land.department
    assert (second.occurred_on, second.year) == (day("2026-06-22"), 2026)
    assert "承办部门办理4天，时限为3天" in second.reason  # held it 4 days; its limit is 3
    assert LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_CASE).count() == 2
