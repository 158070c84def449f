"""The forecast of a project's approvals (critical path): the earliest date all can be
done, from the prerequisite graph and the time limits, and the case that holds it up."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.services.due import Due, case_limit, due_after
from zhaoshang.core import clock
from zhaoshang.workdays import services as workdays

# How far ahead of today the forecast reads the calendar at once (it reads more if needed).
FORECAST_READ_AHEAD = datetime.timedelta(days=366)


@dataclass
class Forecast:
    finish: dict[int, Due]  # case id -> earliest finish
    all_done_by: Due | None
    holding_case: ApprovalCase | None
    critical_path: list[ApprovalCase]


def forecast(project, today: datetime.date | None = None) -> Forecast:
    """The earliest date by which all of the project's approvals can be done, from the
    prerequisite graph and the time limits, and the case that holds the project up."""
    today = today or clock.today()
    cases = list(
        ApprovalCase.objects.filter(project=project)
        .exclude(status=CaseStatus.RETURNED)
        .select_related("item", "joint_decision", "department")
        .prefetch_related("item__prerequisites", "pauses")
    )
    by_item = {c.item_id: c for c in cases}
    finish: dict[int, Due] = {}
    pred: dict[int, ApprovalCase | None] = {}
    # Read once: every case not yet started is counted from today or later.
    calendar = workdays.CalendarWindow(today, today + FORECAST_READ_AHEAD)

    def earliest(case: ApprovalCase, stack=()) -> Due:
        if case.pk in finish:
            return finish[case.pk]
        if case.status == CaseStatus.DONE:
            result = Due(case.done_on, False)
            pred[case.pk] = None
        else:
            start, provisional, before = today, False, None
            joint = set()
            if case.joint_decision_id:
                joint = {c.item_id for c in cases if c.joint_decision_id == case.joint_decision_id}
            for prereq in case.item.prerequisites.all():
                other = by_item.get(prereq.pk)
                if other is None or prereq.pk in joint or other.pk in stack:
                    continue
                due = earliest(other, (*stack, case.pk))
                if due.date and due.date > start:
                    start, provisional, before = due.date, due.provisional, other
            if case.due_on and (before is None or case.due_on >= start):
                result = Due(max(case.due_on, today), case.due_is_provisional)
            else:
                # Counted in the limit's own unit, as the due date will be.
                added = due_after(start, *case_limit(case), calendar)
                result = Due(added.date, added.provisional or provisional)
            pred[case.pk] = before
        finish[case.pk] = result
        return result

    for case in cases:
        earliest(case)
    open_cases = [c for c in cases if c.status != CaseStatus.DONE]
    if not cases:
        return Forecast(finish, None, None, [])
    last = max(cases, key=lambda c: (finish[c.pk].date or today, c.pk))
    path = [last]
    while pred.get(path[-1].pk):
        path.append(pred[path[-1].pk])
    path.reverse()
    holding = next((c for c in path if c.status != CaseStatus.DONE), None)
    all_done = (
        finish[last.pk] if open_cases else Due(max(c.done_on for c in cases if c.done_on), False)
    )
    return Forecast(finish, all_done, holding, path)
