"""Delay attribution (因企业自身原因, SPEC §11): the working days the government held the
project's clock — overdue approval cases and commitment milestones, a day counted once —
across the May Day holiday, for as long as each lasted (an open one holds the clock); the
due date moves out by them by itself; the officer's confirmation records them and excludes
the warning while the moved date is ahead or the clock is held."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.agreements.models import Commitment, Milestone
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.exits import services
from zhaoshang.exits.choices import WarningStatus
from zhaoshang.exits.tests.factories import make_warning

D = datetime.date
pytestmark = pytest.mark.usefixtures("english")


def _late_case(world, due_on, done_on):
    case = world.case_a  # project1_a, held by 建设局
    case.due_on, case.done_on = due_on, done_on
    case.status = CaseStatus.DONE if done_on else CaseStatus.IN_PROGRESS
    case.save()
    return case


def _late_milestone(world, due_on, done_on=None, seq=1):
    commitment, _created = Commitment.objects.get_or_create(
        district=world.district_a,
        project=world.project1_a,
        department=world.dept_land_a,
        title="办理不动产权证",
        defaults={
            "content": "交地后办理产权证",
            "start_on": D(2026, 2, 10),
            "target_on": D(2026, 6, 30),
            "created_by": world.user_bureau,
        },
    )
    return Milestone.objects.create(
        commitment=commitment,
        seq=seq,
        name=f"节点{seq}",
        duration_workdays=5,
        planned_start_on=D(2026, 2, 10),
        due_on=due_on,
        done_on=done_on,
        owner_department=world.dept_land_a,
    )


def test_delay_across_the_may_day_holiday_counts_each_day_once(world):
    # Land delivered 2026-02-10: due 2026-05-10 (a Sunday). 1–5 May are the May Day
    # holiday; Saturday 9 May is an adjusted working day; 19 June is 端午.
    warning = make_warning(world)
    assert warning.due_on == D(2026, 5, 10)
    _late_case(world, D(2026, 4, 28), D(2026, 5, 8))  # 4-29, 4-30, 5-6, 5-7, 5-8: 5
    _late_milestone(world, D(2026, 5, 6))  # still open today (6-15): it holds the clock
    _late_milestone(world, D(2026, 3, 2), D(2026, 3, 2), seq=2)  # done on time: no delay
    days, causes = services.government_delay(warning)
    # The milestone: 5-7, 5-8, 5-9, then 5 weeks of 5 (5-11 … 6-12) and 6-15: 29.
    assert [c.workdays for c in causes] == [5, 29]
    assert [c.kind for c in causes] == ["case", "milestone"]
    assert causes[0].department == "区建设局" and causes[1].department == "区国土局"
    # Held from 4-28 to today, each day once: 4-29, 4-30, 5-6 … 5-9 (6) + 26 = 32.
    assert days == 32
    # Confirmed: the clock is held (the milestone is open) and, were it to end today, the
    # due date is 32 working days after 5-10: 6-15 … 6-18 (4), 6-22 … 6-26 (9), 6-29 … 7-3
    # (14) … no: counted from 5-11: 5-11 … 6-18 is 29, 6-22, 6-23, 6-24: 32 → 2026-06-24.
    warning = services.confirm_delay(world.user_supervisor, warning, reason="用地手续滞后")
    assert warning.effective_due_on == D(2026, 6, 24)
    assert warning.held_since == D(2026, 5, 6)
    assert warning.status == WarningStatus.EXCLUDED  # held: not the enterprise's own
    assert warning.delay_workdays == 32 and len(warning.delay_causes) == 2
    assert warning.delay_confirmed_by == world.user_supervisor


def test_confirmed_delay_past_today_excludes_the_warning(world):
    # Delivered 2026-03-12: due 2026-06-12; an approval case overdue since 2026-05-20.
    warning = make_warning(world, on=D(2026, 3, 12))
    case = _late_case(world, D(2026, 5, 20), None)
    days, _causes = services.government_delay(warning)
    # 5-21, 5-22, three full weeks (5-25 … 6-12) and 6-15: 18, the case still open.
    assert days == 18
    warning.refresh_from_db()
    assert warning.status == WarningStatus.WARNING  # raised by hand, not yet rescanned
    warning = services.confirm_delay(world.user_bureau, warning, reason="施工许可超期")
    assert warning.status == WarningStatus.EXCLUDED
    assert warning.excluded_on == D(2026, 6, 15)
    # 18 working days after 6-12: 6-15 … 6-18 (4, 6-19 is 端午), 6-22 … 6-26 (9),
    # 6-29 … 7-3 (14), 7-6 … 7-9 (18) → 7-09.
    assert warning.effective_due_on == D(2026, 7, 9)
    # The scan leaves it alone while the case is open, even past that date.
    assert services.scan()["reopened"] == 0
    assert services.scan(D(2026, 7, 20))["reopened"] == 0
    # The case is done on Saturday 6-20: held 5-21 … 6-18, 21 working days; the due date is
    # 21 working days after 6-12: 7-9 (18), 7-10, 7-13, 7-14 → 7-14.
    case.done_on = D(2026, 6, 20)
    case.save()
    assert services.scan(D(2026, 7, 14))["reopened"] == 0
    assert services.scan(D(2026, 7, 15))["reopened"] == 1
    warning.refresh_from_db()
    assert warning.status == WarningStatus.WARNING
    assert warning.effective_due_on == D(2026, 7, 14) and warning.delay_workdays == 21
    assert warning.held_since is None


def test_nothing_to_attribute_and_a_reason_is_needed(world):
    warning = make_warning(world)
    with pytest.raises(ValidationError) as exc:
        services.confirm_delay(world.user_supervisor, warning, reason="  ")
    assert exc.value.message_dict["reason"] == ["Give the reason for the attribution."]
    with pytest.raises(ValidationError) as exc:
        services.confirm_delay(world.user_supervisor, warning, reason="x")
    assert exc.value.code == "no_delay"
    warning.refresh_from_db()
    assert warning.version == 1 and warning.delay_confirmed_on is None


def test_confirmed_once(world):
    warning = make_warning(world)
    _late_case(world, D(2026, 4, 28), D(2026, 5, 8))
    services.confirm_delay(world.user_supervisor, warning, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.confirm_delay(world.user_supervisor, warning, reason="x")
    assert exc.value.messages == ["The delay attribution has already been confirmed."]


def test_delays_outside_the_window_do_not_count(world):
    warning = make_warning(world)
    _late_case(world, D(2026, 5, 20), None)  # overdue only after the due date
    _late_milestone(world, D(2026, 1, 5), D(2026, 2, 12))  # held 2-11, 2-12 in the window
    days, causes = services.government_delay(warning)
    assert days == 2 and len(causes) == 1
