"""The days a case has left, in the unit its limit runs in: working days (read in SQL by
``ApprovalCaseQuerySet.with_days_left``) or, for a limit in natural days, calendar days."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from zhaoshang.approvals.choices import CLOSED_STATUSES, LimitUnit
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.services.due import case_limit


@dataclass(frozen=True)
class Remaining:
    """Days to the due date (0 on it, negative once past) and their unit; ``days`` is None
    for a case without a due date, closed, or whose clock stands (paused)."""

    days: int | None
    unit: str


def remaining(case: ApprovalCase, today: datetime.date) -> Remaining:
    """What is left of the case's limit on ``today``: the working days annotated by
    ``with_days_left`` for a limit in working days; the calendar days to the due date for
    a limit in natural days (``case_limit``: an extended case runs in working days)."""
    unit = case_limit(case)[1]
    if case.due_on is None or case.status in CLOSED_STATUSES or case.paused:
        return Remaining(None, unit)
    if unit == LimitUnit.NATURAL_DAY:
        return Remaining((case.due_on - today).days, unit)
    return Remaining(getattr(case, "days_left", None), unit)
