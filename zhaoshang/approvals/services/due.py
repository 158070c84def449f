"""Due dates (SPEC §6): always recomputed from their inputs — the day materials were
complete, the time limit (or the special limit after a recorded extension), the calendar,
and the closed pause intervals; a joint decision sets one common due date instead."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Min, Prefetch

from zhaoshang.approvals.choices import LimitUnit
from zhaoshang.approvals.models import ApprovalCase, CasePause, JointDecision
from zhaoshang.workdays import services as workdays

# How far past a case's start the calendar is read at once (most limits end within it).
DUE_READ_AHEAD = datetime.timedelta(days=120)


@dataclass(frozen=True)
class Due:
    """A due date, and whether it rests on a year without a published arrangement."""

    date: datetime.date | None
    provisional: bool


def paused_days(pauses: Iterable[CasePause], unit: str, calendar=workdays) -> int:
    """Working (or natural) days inside closed pauses: after the start up to the end.
    ``calendar`` answers ``workdays_between``: the calendar's services, or a
    ``workdays.services.CalendarWindow`` read once for many cases."""
    total = 0
    for pause in pauses:
        if pause.ended_on is None:
            continue
        if unit == LimitUnit.NATURAL_DAY:
            total += (pause.ended_on - pause.started_on).days
        else:
            total += calendar.workdays_between(pause.started_on, pause.ended_on)
    return total


def case_limit(case: ApprovalCase) -> tuple[int, str]:
    """The limit a case runs on and its unit: its own limit (as registered) in its own
    unit, or after a special-circumstances extension the item's special limit, which is
    always in working days."""
    if case.extended:
        return case.item.special_time_limit, LimitUnit.WORKDAY
    return case.time_limit, case.time_limit_unit


def due_after(start: datetime.date, limit: int, unit: str, calendar=workdays) -> Due:
    """The end of a limit counted from the day after ``start``: the limit-th working day
    after it (provisional in a year without a published arrangement), or for a limit in
    natural days the limit-th calendar day after it (never provisional)."""
    if unit == LimitUnit.NATURAL_DAY:
        return Due(start + datetime.timedelta(days=limit), False)
    result = calendar.add_workdays(start, limit)
    return Due(result.date, result.provisional)


def compute_due(
    case: ApprovalCase, pauses: Iterable[CasePause] | None = None, calendar=workdays
) -> Due:
    """The due date from (start, limit, calendar, pause intervals); None before materials
    are complete. A joint decision's common due date overrides it. ``calendar`` as for
    ``paused_days``."""
    if case.joint_decision_id:
        decision = case.joint_decision
        return Due(decision.common_due_on, decision.common_due_is_provisional)
    if case.materials_complete_on is None:
        return Due(None, False)
    pauses = list(case.pauses.all()) if pauses is None else list(pauses)
    limit, unit = case_limit(case)
    # Paused time lengthens the limit in its own unit: a limit in natural days counts
    # calendar days, not working days.
    return due_after(
        case.materials_complete_on, limit + paused_days(pauses, unit, calendar), unit, calendar
    )


def common_due(
    decided_on: datetime.date, limits: Iterable[tuple[int, str]], calendar=workdays
) -> Due:
    """The one due date of items a joint meeting decided to approve together (同时审批、
    同时办结, SPEC §6), from each case's limit and unit (``case_limit``).

    SPEC §6 dates a due date from its start by the item's limit in the limit's own unit,
    and done together means none is done before the last can be. So each limit is counted
    from the decision day in its own unit — working days on the calendar, natural days as
    calendar days — and the common due date is the latest of those dates: every item keeps
    its full time limit, and the date is the same whatever the order of the cases. It is
    provisional when any of the dates compared is: loading that year can move a date past
    the others, so the common date is recomputed then as well."""
    dues = [due_after(decided_on, limit, unit, calendar) for limit, unit in limits]
    if not dues:
        raise ValueError("a joint decision needs the limits of its cases")
    return Due(max(d.date for d in dues), any(d.provisional for d in dues))


def save_due(case: ApprovalCase, pauses: Iterable[CasePause] | None = None) -> None:
    """Set the case's due date (and whether its clock stands) from its inputs, unsaved.
    The pauses are read once (or given: those the service holds, as they are now); the
    calendar as the transaction has read it already."""
    pauses = list(case.pauses.all()) if pauses is None else list(pauses)
    calendar = workdays
    if case.materials_complete_on is not None and not case.joint_decision_id:
        start = case.materials_complete_on
        calendar = workdays.transaction_window(start, start + DUE_READ_AHEAD)
    due = compute_due(case, pauses, calendar)
    if calendar is not workdays and calendar.reaches_past_index and due.date:
        workdays.ensure_range(due.date)  # stored due dates stay inside the index
    case.due_on, case.due_is_provisional = due.date, due.provisional
    case.paused = any(pause.ended_on is None for pause in pauses)


def recompute_due_dates(cases) -> int:
    """Recompute the due dates of a set of cases (e.g. when a calendar year is loaded);
    the calendar is read once for their span."""
    changed = 0
    span = cases.aggregate(first=Min("materials_complete_on"), last=Max("due_on"))
    calendar = workdays
    if span["first"]:
        calendar = workdays.CalendarWindow(span["first"], span["last"] or span["first"])
    latest = None
    for case in cases.select_related("item", "joint_decision").prefetch_related("pauses"):
        due = compute_due(case, calendar=calendar)
        if due.date and (latest is None or due.date > latest):
            latest = due.date
        if (case.due_on, case.due_is_provisional) != (due.date, due.provisional):
            case.due_on, case.due_is_provisional = due.date, due.provisional
            case.save(update_fields=["due_on", "due_is_provisional", "updated_at"])
            changed += 1
    if latest and calendar is not workdays and calendar.reaches_past_index:
        # Stored due dates stay inside the index, where SQL counts the days left.
        workdays.ensure_range(latest)
    return changed


def recompute_joint_decisions(decisions) -> int:
    """Recompute the common due dates of joint decisions from their cases' limits."""
    changed = 0
    for decision in decisions.prefetch_related(
        Prefetch("cases", queryset=ApprovalCase.objects.select_related("item"))
    ):
        limits = [case_limit(c) for c in decision.cases.all()]
        if not limits:
            continue
        due = common_due(decision.decided_on, limits)
        if (decision.common_due_on, decision.common_due_is_provisional) != (
            due.date,
            due.provisional,
        ):
            decision.common_due_on, decision.common_due_is_provisional = due.date, due.provisional
            decision.save(update_fields=["common_due_on", "common_due_is_provisional"])
            changed += 1
    return changed


def recompute_provisional_due_dates(years: Iterable[int]) -> int:
    """Hook for workdays.load_year: every provisional due date is computed again, the
    joint decisions' common due dates first (their cases take them over)."""
    recompute_joint_decisions(JointDecision.objects.filter(common_due_is_provisional=True))
    return recompute_due_dates(ApprovalCase.objects.filter(due_is_provisional=True))
