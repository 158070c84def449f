"""What the approval services share: the check of a date given for a step, and the lock
and save of a case (its due date recomputed, a new version, the domain event)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.services.due import save_due
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.services import lock_for_update, require_status

# The pauses of a case not yet accepted: none (pause_case stops an accepted case's clock,
# the pledge scan an accepted pledge's), so its services need not read them.
NOT_YET_PAUSED = ()


def check_date(
    field: str, day: datetime.date | None, not_before: datetime.date | None = None
) -> None:
    """A step's date is given, not in the future, and not before ``not_before``."""
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > clock.today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and day < not_before:
        raise ValidationError(
            {field: _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}}
        )


def lock_case(case: ApprovalCase, expected_version: int | None) -> ApprovalCase:
    """The case re-read under a row lock; someone else's change since the writer read it
    is refused (409), naming the case's status now."""
    locked = lock_for_update(
        case, select_related=("item", "project", "joint_decision", "department")
    )
    if expected_version is not None and locked.version != expected_version:
        # lock_for_update's check, in the case's own words.
        raise ConcurrentEditError(
            _(
                "Someone else acted on this case after you opened it (it is now “%(status)s”). "
                "Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def require_case_status(case: ApprovalCase, *allowed: str) -> None:
    """Refuse (under ``status``) unless the case is in one of the ``allowed`` statuses."""
    require_status(
        case,
        *allowed,
        message=_("This cannot be done while the case is “%(status)s”.")
        % {"status": case.get_status_display()},
    )


def save_case(
    case: ApprovalCase, user, verb: str, summary: str = "", *, pauses=None, due=True, **data
) -> ApprovalCase:
    """Save a step of the case: its due date recomputed, the next version, the event.
    ``pauses``: the case's pauses as they are now, when the service has them in hand;
    ``due=False`` for a step that changes none of the due date's inputs (the start, the
    limit, the pauses, the joint decision): the due date and the clock stay as stored."""
    if due:
        save_due(case, pauses)
    case.save_new_version()
    log_event(
        user, verb, case, summary=summary or case.get_status_display(), status=case.status, **data
    )
    return case
