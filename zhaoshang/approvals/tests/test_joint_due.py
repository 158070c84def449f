"""The common due date of a joint decision (同时审批、同时办结) when the items' limits come
in different units: each limit counts from the decision day in its own unit, and the
common date is the latest of those (``services.common_due``)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import LimitUnit
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.workdays import services as workdays


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _decide(world, catalogue, codes, on: str, number: str = "东城联席〔2026〕5号"):
    project = world.project1_a
    with time_machine.travel(f"{on} 10:00 +0800", tick=False):
        cases = [
            services.register_case(
                world.user_service_center, project, ApprovalItem.objects.get(pk=catalogue[c].pk)
            )
            for c in codes
        ]
        decision = services.record_joint_decision(
            world.user_leader, project, cases, day(on), number
        )
    return decision, [ApprovalCase.objects.get(pk=c.pk) for c in cases]


def test_a_limit_in_natural_days_counts_calendar_days(world, catalogue):
    # 建设工程规划许可证 (3 working days) and 供电接入 (15 natural days), decided Monday
    # 2026-06-15: 06-18 and 06-30. Counting 15 as working days would give 07-07.
    decision, cases = _decide(world, catalogue, ["GC-01", "SZ-01"], "2026-06-15")
    assert decision.common_due_on == day("2026-06-30")
    assert not decision.common_due_is_provisional
    assert {c.due_on for c in cases} == {day("2026-06-30")}


def test_the_working_day_limit_wins_when_it_ends_later(world, catalogue):
    # 供电接入 cut to 2 natural days: 06-19. 工程规划, 3 working days from Wednesday 06-17
    # over the 端午 holiday (Friday 06-19) and the weekend: 06-18, 06-22, 06-23.
    ApprovalItem.objects.filter(pk=catalogue["SZ-01"].pk).update(time_limit=2)
    decision, _cases = _decide(world, catalogue, ["GC-01", "SZ-01"], "2026-06-17")
    assert decision.common_due_on == day("2026-06-23")


def test_the_common_date_uses_the_cases_own_limits(world, catalogue):
    """A case keeps the limit it was registered with, whatever the catalogue says later."""
    project = world.project1_a
    planning = services.register_case(world.user_service_center, project, catalogue["GC-01"])
    power = services.register_case(world.user_service_center, project, catalogue["SZ-01"])
    ApprovalItem.objects.filter(pk=catalogue["SZ-01"].pk).update(
        time_limit=40, time_limit_unit=LimitUnit.WORKDAY
    )
    decision = services.record_joint_decision(
        world.user_leader, project, [planning, power], day("2026-06-15"), "东城联席〔2026〕6号"
    )
    assert decision.common_due_on == day("2026-06-30")  # 15 natural days, as registered


def test_common_due_is_provisional_when_any_date_compared_is(db):
    # Decided 2026-12-29: 3 working days end 2027-01-04 (provisional: 2027 is not
    # published); 15 natural days end 2027-01-13, the later one.
    due = services.common_due(
        day("2026-12-29"), [(3, LimitUnit.WORKDAY), (15, LimitUnit.NATURAL_DAY)]
    )
    assert due == services.Due(day("2027-01-13"), True)
    assert services.common_due(
        day("2026-06-15"), [(15, LimitUnit.NATURAL_DAY), (3, LimitUnit.WORKDAY)]
    ) == services.Due(day("2026-06-30"), False)
    with pytest.raises(ValueError):
        services.common_due(day("2026-06-15"), [])


def test_loading_the_year_recomputes_the_common_date(world, catalogue):
    """Published, 2027 turns out to have 01-04 to 01-15 off: the 3 working days now end on
    Monday 01-18, past the 15 natural days (01-13) — the decision and its cases move."""
    decision, cases = _decide(world, catalogue, ["GC-01", "SZ-01"], "2026-12-29")
    assert (decision.common_due_on, decision.common_due_is_provisional) == (
        day("2027-01-13"),
        True,
    )
    assert all(c.due_is_provisional for c in cases)
    holidays = [(day("2027-01-01"), "holiday", "元旦")] + [
        (datetime.date(2027, 1, d), "holiday", "测试") for d in range(4, 16)
    ]
    workdays.load_year(2027, holidays, notice="国办发明电〔2026〕X号", status="published")
    decision.refresh_from_db()
    assert (decision.common_due_on, decision.common_due_is_provisional) == (
        day("2027-01-18"),
        False,
    )
    for case in cases:
        case.refresh_from_db()
        assert (case.due_on, case.due_is_provisional) == (day("2027-01-18"), False)
