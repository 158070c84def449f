"""When a case's clock stands or lengthens: pauses (补正, special procedures), the
enterprise's pledged materials (容缺受理) and the special-circumstances extension."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.approvals import permissions
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, CasePause
from zhaoshang.approvals.services.common import (
    NOT_YET_PAUSED,
    check_date,
    lock_case,
    require_case_status,
    save_case,
)
from zhaoshang.approvals.services.due import compute_due
from zhaoshang.core import clock
from zhaoshang.core.services import add_errors, gather, raise_errors, require, status_error

PAUSE_KINDS_SPECIAL = (PauseKind.HEARING, PauseKind.EXPERT_REVIEW, PauseKind.SITE_SURVEY)


@transaction.atomic
def pause_case(
    user,
    case: ApprovalCase,
    kind: str,
    reason: str,
    on: datetime.date,
    expected_version: int | None = None,
):
    """Stop the clock: 补正 (waiting for the enterprise) or a special procedure."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    # The kind, the reason and the date are all checked before refusing, so that one answer
    # names every problem of the form.
    errors: dict = {}
    if kind not in (PauseKind.SUPPLEMENT, *PAUSE_KINDS_SPECIAL):
        errors["kind"] = [_("Unknown kind of pause.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the pause.")]
    if (
        kind == PauseKind.SUPPLEMENT
        and case.status == CaseStatus.PENDING
        and case.materials_complete_on is None
    ):
        # Before the materials are complete there is no clock to stop: the case waits.
        raise_errors(errors)
        case.status = CaseStatus.SUPPLEMENT
        return save_case(
            case,
            user,
            "case.supplement_requested",
            summary=reason,
            pauses=NOT_YET_PAUSED,
            reason=reason,
        )
    require_case_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)
    pauses = list(case.pauses.all())
    if any(pause.ended_on is None for pause in pauses):
        errors.setdefault("kind", []).append(_("The case is already paused."))
    gather(errors, check_date, "started_on", on, case.accepted_on)
    raise_errors(errors)
    pauses.append(
        CasePause.objects.create(
            case=case, kind=kind, reason=reason.strip(), started_on=on, created_by=user
        )
    )
    if kind == PauseKind.SUPPLEMENT:
        case.status = CaseStatus.SUPPLEMENT
    return save_case(case, user, "case.paused", summary=reason, pauses=pauses, kind=kind, on=on)


@transaction.atomic
def resume_case(user, case: ApprovalCase, on: datetime.date, expected_version: int | None = None):
    """The pause ends: materials supplemented, or the special procedure finished."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    pauses = list(case.pauses.all())
    pause = next((p for p in pauses if p.ended_on is None), None)
    if pause is None:
        if case.status == CaseStatus.SUPPLEMENT and case.materials_complete_on is None:
            check_date("ended_on", on, case.registered_on)
            case.status = CaseStatus.PENDING
            case.materials_complete_on = on
            return save_case(case, user, "case.materials_complete", pauses=pauses, on=on)
        raise status_error(_("The case is not paused."))
    check_date("ended_on", on, pause.started_on)
    pause.ended_on = on
    pause.save()
    if case.status == CaseStatus.SUPPLEMENT:
        case.status = CaseStatus.IN_PROGRESS if case.handler_id else CaseStatus.ACCEPTED
    return save_case(case, user, "case.resumed", pauses=pauses, kind=pause.kind, on=on)


@transaction.atomic
def extend_case(
    user,
    case: ApprovalCase,
    reason: str,
    approver,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ApprovalCase:
    """Special circumstances (特殊情况): the limit becomes the item's special limit (10
    working days by default) — only with a reason and a recorded approver."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    require_case_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.SUPPLEMENT)
    if case.extended:
        raise status_error(_("The case has already been extended."))
    # The reason, the approver, the item's special limit and the date are all checked
    # before refusing, so that one answer names every problem of the form.
    errors: dict = {}
    if not (reason or "").strip():
        errors["extension_reason"] = [
            _("An extension needs the reason for the special circumstances.")
        ]
    if approver is None or not permissions.can_approve_extension(approver, case.district_id):
        errors["extension_approver"] = [
            _("An extension needs an approver: a district leader or administrator.")
        ]
    # Compare the due dates, not the numbers: the special limit is in working days, the
    # normal one may be in natural days.
    pauses = list(case.pauses.all())
    normal = compute_due(case, pauses)
    case.extended = True
    special = compute_due(case, pauses)
    if normal.date is not None and special.date is not None and special.date <= normal.date:
        add_errors(
            errors, status_error(_("This item's special limit is not longer than its normal one."))
        )
    on = on or clock.today()
    gather(errors, check_date, "extended_on", on, case.accepted_on)
    raise_errors(errors)
    case.extension_reason = reason.strip()
    case.extension_approver = approver
    case.extended_on = on
    return save_case(
        case, user, "case.extended", summary=reason, pauses=pauses, approver=approver.pk
    )


@transaction.atomic
def fulfil_pledge(user, case: ApprovalCase, on: datetime.date, expected_version: int | None = None):
    """The pledged materials arrived; a pledge pause ends."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    if not case.pledge_materials or case.pledge_fulfilled_on:
        raise status_error(_("The case has no open pledge."))
    check_date("pledge_fulfilled_on", on, case.accepted_on)
    case.pledge_fulfilled_on = on
    pauses = list(case.pauses.all())
    pause = next(
        (p for p in pauses if p.ended_on is None and p.kind == PauseKind.PLEDGE_OVERDUE), None
    )
    if pause:
        pause.ended_on = on
        pause.save()
    return save_case(case, user, "case.pledge_fulfilled", pauses=pauses, on=on)
