"""Reverse schedules (倒排工期) on the seeded calendar: dates across the 2026 National Day and
Spring Festival holidays and their adjusted working weekends (调休), the fit check naming
the earliest target, provisional dates in an unpublished year and their recomputation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from zhaoshang.agreements import services
from zhaoshang.agreements.models import Commitment, Milestone
from zhaoshang.agreements.schedule import Step, earliest_target, plan_backwards
from zhaoshang.agreements.tests.conftest import day
from zhaoshang.workdays import services as workdays

pytestmark = pytest.mark.django_db


def dates(planned):
    return [(p.planned_start_on.isoformat(), p.due_on.isoformat()) for p in planned]


def test_national_day_2026_with_the_adjusted_saturday():
    # 10-01..07 off (10-03/04 a weekend), 09-25 off (中秋), 10-10 (Saturday) worked.
    planned = plan_backwards(
        [Step("A", 3), Step("B", 5), Step("C", 2)], day("2026-10-12"), day("2026-09-01")
    )
    assert dates(planned) == [
        ("2026-09-22", "2026-09-24"),  # before 中秋 (Friday 09-25) and the weekend
        ("2026-09-28", "2026-10-09"),  # 09-28, 09-29, 09-30, 10-08, 10-09
        ("2026-10-10", "2026-10-12"),  # starts on the adjusted working Saturday
    ]
    assert not any(p.provisional for p in planned)


def test_sunday_worked_before_national_day_counts():
    # 2026-09-20 is a Sunday worked (调休): a two-day step ending Monday starts on it.
    (planned,) = plan_backwards([Step("A", 2)], day("2026-09-21"), day("2026-09-01"))
    assert (planned.planned_start_on, planned.due_on) == (day("2026-09-20"), day("2026-09-21"))


def test_spring_festival_2026_target_in_the_holiday_falls_back_to_the_adjusted_saturday():
    # 02-15..23 off; 02-14 (Saturday) and 02-28 (Saturday) worked.
    planned = plan_backwards([Step("X", 1), Step("Y", 2)], day("2026-02-22"), day("2026-01-05"))
    assert dates(planned) == [("2026-02-12", "2026-02-12"), ("2026-02-13", "2026-02-14")]


def test_spring_festival_2026_target_on_the_adjusted_saturday():
    planned = plan_backwards([Step("X", 1), Step("Y", 4)], day("2026-02-28"), day("2026-01-05"))
    assert dates(planned) == [("2026-02-24", "2026-02-24"), ("2026-02-25", "2026-02-28")]


@pytest.mark.parametrize(
    ("target", "durations"),
    [("2026-10-12", (3, 5, 2)), ("2026-02-28", (1, 4, 7)), ("2026-05-06", (2, 2, 2, 2))],
)
def test_read_forwards_the_schedule_is_the_calendar_rule(target, durations):
    """Each milestone is due ``duration`` working days after the one before (add_workdays),
    the last on the target's working day, and no step starts on a day off."""
    steps = [Step(f"S{i}", d) for i, d in enumerate(durations)]
    planned = plan_backwards(steps, day(target), day("2025-12-01"))
    for before, after in zip(planned, planned[1:], strict=False):
        assert workdays.add_workdays(before.due_on, after.step.duration).date == after.due_on
        assert workdays.add_workdays(before.due_on, 1).date == after.planned_start_on
    for p in planned:
        assert workdays.is_workday(p.planned_start_on) and workdays.is_workday(p.due_on)
        assert workdays.workdays_between(p.planned_start_on, p.due_on) == p.step.duration - 1
    assert planned[-1].due_on <= day(target)


def test_steps_that_fit_exactly_and_one_day_more_is_refused_naming_the_earliest_target():
    # After 09-25 (中秋) up to 10-09: 09-28, 09-29, 09-30, 10-08, 10-09 — five working days.
    start, target = day("2026-09-25"), day("2026-10-09")
    planned = plan_backwards([Step("A", 5)], target, start)
    assert planned[0].planned_start_on == day("2026-09-28")
    with pytest.raises(ValidationError) as caught:
        plan_backwards([Step("A", 3), Step("B", 3)], target, start)
    (message,) = caught.value.message_dict["target_on"]
    assert "6" in message and "5" in message
    # the earliest target is the 6th working day after 09-25: the adjusted Saturday 10-10
    assert "2026-10-10" in message
    assert earliest_target([Step("A", 3), Step("B", 3)], start) == day("2026-10-10")


def test_a_target_not_after_the_planning_day_is_refused():
    with pytest.raises(ValidationError) as caught:
        plan_backwards([Step("A", 1)], day("2026-06-15"), day("2026-06-15"))
    assert "2026-06-15" in caught.value.message_dict["target_on"][0]


@pytest.mark.parametrize("steps", [[], [Step("", 3)], [Step("A", 0)]])
def test_steps_need_a_name_and_a_working_day(steps):
    with pytest.raises(ValidationError) as caught:
        plan_backwards(steps, day("2026-08-31"), day("2026-06-01"))
    assert "steps" in caught.value.message_dict


def test_dates_reaching_into_an_unpublished_year_are_provisional():
    # 2027 has no published arrangement in the seeded calendar.
    planned = plan_backwards([Step("A", 5), Step("B", 5)], day("2027-01-15"), day("2026-11-02"))
    assert all(p.provisional for p in planned)
    firm = plan_backwards([Step("A", 5)], day("2026-12-18"), day("2026-11-02"))
    assert not firm[0].provisional


def test_publishing_the_year_replans_provisional_schedules(world, make_commitment):
    commitment = make_commitment(
        start_on=day("2026-11-02"),
        target_on=day("2027-01-08"),
        steps=[Step("A", 3), Step("B", 2)],
    )
    assert all(m.due_is_provisional for m in commitment.milestones.all())
    services.file_commitment(world.user_bureau, commitment)
    before = list(commitment.milestones.order_by("seq").values_list("due_on", flat=True))
    # The arrangement gives 2027-01-04..08 off: the whole week before the target.
    entries = [(datetime.date(2027, 1, d), "holiday", "元旦") for d in range(1, 9)]
    hooks = ["zhaoshang.agreements.services.recompute_provisional_schedules"]
    with override_settings(WORKDAY_RECOMPUTE_HOOKS=hooks):
        workdays.load_year(2027, entries, notice="测试", status="published")
    after = list(
        Milestone.objects.filter(commitment=commitment)
        .order_by("seq")
        .values_list("due_on", "due_is_provisional")
    )
    assert [d for d, _p in after] != before
    # last due: the last working day on or before 01-08 is now 2026-12-31
    assert after[-1] == (day("2026-12-31"), False)
    assert not any(p for _d, p in after)
    assert Commitment.objects.get(pk=commitment.pk).changed_since_filing


def test_a_commitment_saves_the_planned_dates_and_owners(world, make_commitment):
    commitment = make_commitment(
        steps=[Step("图审", 10, world.dept_land_a), Step("发证", 5)],
        start_on=day("2026-06-01"),
        target_on=day("2026-07-31"),
    )
    rows = list(
        commitment.milestones.order_by("seq").values_list(
            "seq", "name", "planned_start_on", "due_on", "owner_department"
        )
    )
    assert rows == [
        (1, "图审", day("2026-07-13"), day("2026-07-24"), world.dept_land_a.pk),
        (2, "发证", day("2026-07-27"), day("2026-07-31"), world.dept_works_a.pk),
    ]
