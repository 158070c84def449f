"""Delay attribution (因企业自身原因): the working days the government held a project up,
and their confirmation, which moves the due date out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Milestone
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.exits import permissions
from zhaoshang.exits.choices import ATTRIBUTABLE_STATUSES, DelayKind, WarningStatus
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.services.base import _save
from zhaoshang.workdays import services as workdays


@dataclass(frozen=True)
class DelayCause:
    """A government record that held the project up in the warning's window."""

    kind: str
    title: str
    department: str
    due_on: datetime.date
    done_on: datetime.date | None
    start: datetime.date  # held up on the working days after this day …
    end: datetime.date  # … up to and including this one
    workdays: int
    url: str

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "department": self.department,
            "due_on": self.due_on.isoformat(),
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "workdays": self.workdays,
            "url": self.url,
        }


def government_delay(
    warning: ExitWarning, today: datetime.date | None = None
) -> tuple[int, list[DelayCause]]:
    """The working days ``warning``'s project was held up by the government between its
    anchor date and its due date (or today, if earlier): each overdue approval case and
    each overdue commitment milestone holds it up from its due date until it was done
    (or until today). A day held up by several causes counts once. Three queries."""
    today = today or clock.today()
    first, last = warning.anchor_on, min(warning.due_on, today)
    if last <= first:
        return 0, []
    late = Q(due_on__lt=last) & (Q(done_on__isnull=True) | Q(done_on__gt=F("due_on")))
    rows: list[tuple] = []
    for case in (
        ApprovalCase.objects.filter(late, project_id=warning.project_id, due_on__isnull=False)
        .select_related("item", "department")
        .order_by("due_on", "id")
    ):
        rows.append(
            (
                DelayKind.APPROVAL_CASE,
                case.item.name,
                case.department.name,
                case.due_on,
                case.done_on,
                case.get_absolute_url(),
            )
        )
    for milestone in (
        Milestone.objects.filter(late, commitment__project_id=warning.project_id)
        .select_related("commitment", "owner_department")
        .order_by("due_on", "id")
    ):
        rows.append(
            (
                DelayKind.MILESTONE,
                f"{milestone.commitment.title} · {milestone.name}",
                milestone.owner_department.name,
                milestone.due_on,
                milestone.done_on,
                milestone.get_absolute_url(),
            )
        )
    window = workdays.CalendarWindow(first, last)
    causes: list[DelayCause] = []
    for kind, title, department, due_on, done_on, url in rows:
        start, end = max(due_on, first), min(done_on or today, last)
        if end <= start:
            continue
        causes.append(
            DelayCause(
                kind,
                title,
                department,
                due_on,
                done_on,
                start,
                end,
                window.workdays_between(start, end),
                url,
            )
        )
    total = 0
    merged_start = merged_end = None
    for cause in sorted(causes, key=lambda c: (c.start, c.end)):
        if merged_end is None or cause.start >= merged_end:
            if merged_end is not None:
                total += window.workdays_between(merged_start, merged_end)
            merged_start, merged_end = cause.start, cause.end
        else:
            merged_end = max(merged_end, cause.end)
    if merged_end is not None:
        total += window.workdays_between(merged_start, merged_end)
    return total, causes


def confirm_delay(
    user, warning: ExitWarning, *, reason: str, expected_version: int | None = None
) -> ExitWarning:
    """An officer confirms that the project was held up by the government for the working
    days ``government_delay`` counts: the due date moves out by them, and the warning is
    excluded (非企业自身原因) when the moved due date is still ahead. Once per warning."""
    require(permissions.can_confirm_delay(user, warning))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the attribution.")})
    today = clock.today()
    with transaction.atomic():
        warning = lock_for_update(warning, expected_version)
        if warning.status not in ATTRIBUTABLE_STATUSES:
            raise status_error(
                _(
                    "The delay can be attributed only before a clearance decision, on an open "
                    "warning (it is “%(status)s”)."
                )
                % {"status": warning.get_status_display()}
            )
        if warning.delay_confirmed_on is not None:
            raise status_error(_("The delay attribution has already been confirmed."))
        days, causes = government_delay(warning, today)
        if days == 0:
            raise ValidationError(
                _(
                    "No overdue government case or milestone held the project up in the window: "
                    "there is no delay to attribute."
                ),
                code="no_delay",
            )
        warning.delay_workdays = days
        warning.delay_causes = [c.as_dict() for c in causes]
        warning.delay_reason = reason
        warning.delay_confirmed_on = today
        warning.delay_confirmed_by = user
        warning.effective_due_on = workdays.add_workdays(warning.due_on, days).date
        summary = _("%(days)s working days; due date moved to %(date)s") % {
            "days": days,
            "date": warning.effective_due_on.isoformat(),
        }
        if warning.effective_due_on > today:
            warning.status = WarningStatus.EXCLUDED
            warning.excluded_on = today
            _save(warning, user, "exit_warning.excluded", summary, workdays=days)
        else:
            _save(warning, user, "exit_warning.delay_confirmed", summary, workdays=days)
    return warning
