"""Delay attribution (因企业自身原因): the government's held intervals of a warning, and the
supervision office's confirmation of them.

The intervals move the due date by themselves (``dates``; the daily scan keeps each open
warning's clock up to date and excludes a warning whose clock a delay moved back ahead).
The confirmation stays as the spec's officer's word (SPEC §11: days held up by the
government are shown and, when an officer confirms, excluded): the supervision office, the
bureau or an admin records that it has checked the intervals, with its reason; the
warning's clock is brought up to date then, and it is excluded if the moved date is still
ahead (or a blocker still holds it)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.exits import permissions
from zhaoshang.exits.choices import ATTRIBUTABLE_STATUSES, WarningStatus
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.services.base import _save
from zhaoshang.exits.services.dates import DelayCause, ExitClock, exit_clock


def government_delay(
    warning: ExitWarning, today: datetime.date | None = None
) -> tuple[int, list[DelayCause]]:
    """The working days the government held ``warning``'s clock as of ``today`` and the
    intervals that held it (a day held by several counts once)."""
    found = warning_clock(warning, today)
    return found.held_workdays, found.causes


def warning_clock(warning: ExitWarning, today: datetime.date | None = None) -> ExitClock:
    """``warning``'s clock as of ``today``, computed afresh."""
    return exit_clock(warning.project, warning.rule, today or clock.today())


def confirm_delay(
    user, warning: ExitWarning, *, reason: str, expected_version: int | None = None
) -> ExitWarning:
    """An officer confirms the government's held intervals with a reason (once per
    warning). The clock is brought up to date; the warning is excluded (非企业自身原因)
    while its moved due date is still ahead or a blocker holds it."""
    require(permissions.can_confirm_delay(user, warning))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the attribution.")})
    today = clock.today()
    with transaction.atomic():
        warning = lock_for_update(warning, expected_version)
        if warning.rule.is_government:
            raise status_error(
                _(
                    "This warning is the government's own (land not delivered): there is no "
                    "enterprise's clock to attribute."
                )
            )
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
        found = warning_clock(warning, today)
        if found.held_workdays == 0 and found.held_since is None:
            raise ValidationError(
                _(
                    "No government blocker held the project's clock: there is no delay to "
                    "attribute."
                ),
                code="no_delay",
            )
        warning.delay_workdays = found.held_workdays
        warning.delay_causes = [c.as_dict() for c in found.causes]
        warning.held_since = found.held_since
        warning.due_source = found.source
        warning.effective_due_on = found.effective_due_on
        warning.delay_reason = reason
        warning.delay_confirmed_on = today
        warning.delay_confirmed_by = user
        summary = _("%(days)s working days; due date moved to %(date)s") % {
            "days": found.held_workdays,
            "date": found.effective_due_on.isoformat(),
        }
        if warning.status == WarningStatus.WARNING and not found.is_due(today):
            warning.status = WarningStatus.EXCLUDED
            warning.excluded_on = today
            _save(warning, user, "exit_warning.excluded", summary, workdays=found.held_workdays)
        else:
            _save(
                warning,
                user,
                "exit_warning.delay_confirmed",
                summary,
                workdays=found.held_workdays,
            )
    return warning
