"""Reverse schedules (倒排工期): milestones planned backwards from a target date in working
days, on the working-day index of ``zhaoshang.workdays`` (SPEC §5).

The rule, read forwards, is the calendar's own: a step of N working days that follows a
milestone due on day X is due on the N-th working day after X (``add_workdays``). Read
backwards from the target:

- the last milestone is due on the target date, or on the last working day before it when
  the target falls on a day off;
- a step's planned start is the first working day of its N, and the milestone before it
  is due on the working day before that start;
- the schedule fits when the first step starts after the planning day: the working days
  after the planning day up to the last due date are at least the sum of the steps.

A due date is provisional (暂定) when any day from it to the target date lies in a year
whose holiday arrangement is not published: the provisional rule decided those days.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.core.services import gather, raise_errors
from zhaoshang.workdays import services as workdays
from zhaoshang.workdays.models import Day


@dataclass
class Step:
    """A step of a schedule to plan: its name, duration and owner."""

    name: str
    duration: int
    owner_department: object | None = None
    owner: object | None = None


@dataclass
class Planned:
    """A planned milestone: the step and its dates."""

    seq: int
    step: Step
    planned_start_on: datetime.date
    due_on: datetime.date
    provisional: bool


def check_steps(steps: Sequence[Step]) -> None:
    """Every step named, each of at least one working day."""
    if not steps:
        raise ValidationError({"steps": _("Give at least one step of the schedule.")})
    errors = []
    for n, step in enumerate(steps, 1):
        if not (step.name or "").strip():
            errors.append(_("Step %(n)s has no name.") % {"n": n})
        if not isinstance(step.duration, int) or step.duration < 1:
            errors.append(
                _("Step %(n)s “%(name)s” must take at least one working day.")
                % {"n": n, "name": step.name or "—"}
            )
    if errors:
        raise ValidationError({"steps": errors})


def plan_backwards(
    steps: Sequence[Step], target_on: datetime.date, start_on: datetime.date
) -> list[Planned]:
    """Plan the steps backwards from ``target_on``; refuse, naming what to change, when
    they do not fit after ``start_on``. Reads the working-day index once."""
    errors: dict = {}  # the steps' and the target date's problems at once
    gather(errors, check_steps, steps)
    if target_on <= start_on:
        errors["target_on"] = [
            _("The target date %(target)s must be after the planning day %(start)s.")
            % {"target": target_on.isoformat(), "start": start_on.isoformat()}
        ]
    raise_errors(errors)
    workdays.ensure_range(target_on)
    rows = list(
        Day.objects.filter(date__range=(start_on, target_on))
        .order_by("date")
        .values_list("date", "is_workday", "seq", "is_provisional")
    )
    seq = {day: s for day, _w, s, _p in rows}
    workday_of_seq = {s: day for day, is_workday, s, _p in rows if is_workday}
    # provisional_from[d]: whether any day from d up to the target is provisional.
    provisional_from: dict[datetime.date, bool] = {}
    later = False
    for day, _w, _s, is_provisional in reversed(rows):
        later = later or is_provisional
        provisional_from[day] = later

    total = sum(step.duration for step in steps)
    end_seq = seq[target_on]
    available = end_seq - seq[start_on]
    if available < total:
        earliest = workdays.add_workdays(start_on, total).date
        raise ValidationError(
            {
                "target_on": _(
                    "The steps take %(need)s working days, but only %(have)s working days lie "
                    "after %(start)s up to the target date %(target)s: move the target date to "
                    "%(earliest)s or later, move the planning day earlier, or shorten the steps "
                    "by %(short)s working days."
                )
                % {
                    "need": total,
                    "have": available,
                    "start": start_on.isoformat(),
                    "target": target_on.isoformat(),
                    "earliest": earliest.isoformat(),
                    "short": total - available,
                }
            }
        )
    planned: list[Planned] = []
    due_seq = end_seq
    for index in range(len(steps) - 1, -1, -1):
        step = steps[index]
        due = workday_of_seq[due_seq]
        start = workday_of_seq[due_seq - step.duration + 1]
        planned.append(Planned(index + 1, step, start, due, provisional_from[due]))
        due_seq -= step.duration
    planned.reverse()
    return planned


def earliest_target(steps: Sequence[Step], start_on: datetime.date) -> datetime.date:
    """The earliest target date the steps fit before, planning from ``start_on``."""
    check_steps(steps)
    return workdays.add_workdays(start_on, sum(step.duration for step in steps)).date
