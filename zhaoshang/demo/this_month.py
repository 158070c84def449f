"""This month's changes in the demo district (issue 18 point 1): whatever day the demo is
loaded, the bureau's home has projects signed, started and moved to another stage this
month, and a light turned red this month.

A project's dates are drawn back from today (``plans.PlansMixin._path``), the present
stage some days ago at least, so early in a month nothing may have moved yet. Here, once
every plan is drawn, a few are brought forward (``bring_forward``) to reach their stage on
a day of this month (from the 1st to yesterday; on the 1st itself, this early morning).
The replay then moves them through the stage services with the evidence each stage needs,
as every other project (``projects.ProjectsReplay``, with draws of their own: the other
projects draw as ever). Pure: no random draw, no database."""

from __future__ import annotations

import dataclasses
import datetime

from zhaoshang.demo.city import Event
from zhaoshang.projects.choices import Condition, ProjectKind, Stage

DAY = datetime.timedelta(days=1)
# The moves of this month: two signings, a registration and two starts.
MOVES = (Stage.SIGNED, Stage.STARTED, Stage.REGISTERED, Stage.SIGNED, Stage.STARTED)


def month_days(today: datetime.date, count: int) -> list[datetime.date]:
    """``count`` days of this month before today, spread from the 1st to yesterday, oldest
    first; on the 1st, today (the moves are recorded this early morning)."""
    first = today.replace(day=1)
    if today == first:
        return [today] * count
    span = (today - DAY - first).days
    return [first + DAY * (span * i // max(1, count - 1)) for i in range(count)]


def _movable(plan, stage: str, skip) -> bool:
    return (
        plan.kind == ProjectKind.INVESTMENT
        and plan.enterprise not in skip
        and plan.stage == stage
        and plan.condition == Condition.NORMAL
        and plan.exit_variant is None
        and plan.stop_on is None
        and not any(e.backward for e in plan.events)
    )


def bring_forward(plans, today: datetime.date, skip=()) -> list:
    """Bring a few ``plans`` forward so that each stage of ``MOVES`` is reached on a day of
    this month (``month_days``): a signing or registration drawn a few days before the
    month is dated this month instead; a start is the next step of the project whose land
    came last (it keeps its planned dates: it starts ahead of its agreement). ``skip``:
    enterprises whose projects keep their story (the service hall's). Each is marked
    ``this_month`` (``drawn_events``: its history as first drawn). Returns them, in the
    order of ``MOVES``."""
    chosen = []
    for stage, day in zip(MOVES, month_days(today, len(MOVES)), strict=True):
        advance = stage == Stage.STARTED
        now = Stage.LAND_DELIVERED if advance else stage
        candidates = [p for p in plans if p not in chosen and _movable(p, now, skip)]
        if not candidates:
            continue
        plan = max(candidates, key=lambda p: (p.events[-1].on, p.name))
        plan.drawn_events = [dataclasses.replace(e) for e in plan.events]
        last = plan.events[-1]
        if advance:
            plan.events.append(Event(now, stage, max(day, min(last.on + DAY, today))))
        elif day > last.on:
            shift = day - last.on
            last.on = day  # (the stages before as drawn: the order of the others)
            plan.planned = tuple(d and d + shift for d in plan.planned)
        plan.this_month = True
        chosen.append(plan)
    return chosen
