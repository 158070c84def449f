"""The steps of an exit warning, in order, each with its document: rectification notice
(限期整改通知) → clearance decision (清退决定) → land recovery (收回土地)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.core.validators import validate_upload
from zhaoshang.exits import permissions
from zhaoshang.exits.choices import STEP_FROM, STEP_TO, StepKind, WarningStatus
from zhaoshang.exits.models import ExitStep, ExitWarning
from zhaoshang.exits.services.base import _moment, _people_to_tell, _save
from zhaoshang.notifications.services import notify

STEP_VERBS = {
    StepKind.NOTICE: "exit_warning.notice_issued",
    StepKind.CLEARANCE: "exit_warning.clearance_decided",
    StepKind.LAND_RECOVERY: "exit_warning.land_recovered",
}


def _order_error(warning: ExitWarning, kind: str) -> str:
    """Why step ``kind`` cannot be recorded on ``warning`` now."""
    if warning.rule.is_government:
        return _(
            "The land was never delivered: this warning is the government's delay, not the "
            "enterprise's. No rectification, clearance or land recovery follows from it."
        )
    if warning.status == WarningStatus.CLEARED:
        return _("The project has met the condition and the warning is closed; no step follows.")
    if warning.status == WarningStatus.EXCLUDED:
        return _(
            "The warning is excluded: the delay is not the enterprise's own. No step follows "
            "unless the moved due date passes."
        )
    if warning.status == WarningStatus.LAND_RECOVERED:
        return _("The land has been recovered: this is the last step.")
    needed = {
        StepKind.NOTICE: _("A rectification notice is issued on a warning that has no steps yet."),
        StepKind.CLEARANCE: _("A clearance decision needs a rectification notice first."),
        StepKind.LAND_RECOVERY: _("Land recovery needs a clearance decision first."),
    }[kind]
    return needed


def record_step(
    user,
    warning: ExitWarning,
    *,
    kind: str,
    document,
    note: str = "",
    on: datetime.date | None = None,
    deadline: datetime.date | None = None,
    expected_version: int | None = None,
) -> ExitStep:
    """Record the next step of ``warning`` with its document: a rectification notice
    (with the date to rectify by), then a clearance decision (after that date), then the
    land recovery. Steps go in this order, none skipped, none twice."""
    require(permissions.can_record_step(user, warning))
    today = clock.today()
    on = on or today
    note = (note or "").strip()
    errors: dict[str, list] = {}
    if kind not in STEP_FROM:
        errors["kind"] = [_("Choose the step to record.")]
    if document is None:
        errors["document"] = [_("Attach the document of this step.")]
    else:
        try:
            validate_upload(document)
        except ValidationError as exc:
            errors["document"] = exc.messages
    if on > today:
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    if kind == StepKind.NOTICE:
        if deadline is None:
            errors["deadline"] = [_("Give the date by which the enterprise must rectify.")]
        elif deadline <= on:
            errors["deadline"] = [_("The deadline must be after the date of the notice.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        warning = lock_for_update(warning, expected_version)
        if warning.status != STEP_FROM[kind] or warning.rule.is_government:
            raise status_error(_order_error(warning, kind))
        previous = ExitStep.objects.filter(warning=warning).order_by("-occurred_on").first()
        earliest = previous.occurred_on if previous else warning.raised_on
        if on < earliest:
            raise ValidationError(
                {
                    "occurred_on": _("The date cannot be before the previous step (%(date)s).")
                    % {"date": earliest.isoformat()}
                }
            )
        if kind == StepKind.CLEARANCE and on <= warning.notice_deadline:
            raise ValidationError(
                {
                    "occurred_on": _(
                        "The rectification deadline (%(date)s) has not passed yet: a clearance "
                        "decision follows it."
                    )
                    % {"date": warning.notice_deadline.isoformat()}
                }
            )
        step = ExitStep(
            warning=warning,
            kind=kind,
            occurred_on=on,
            deadline=deadline if kind == StepKind.NOTICE else None,
            original_name=document.name[:200],
            note=note,
            recorded_by=user,
        )
        step.document.save(document.name, document, save=False)
        step.save()
        warning.status = STEP_TO[kind]
        if kind == StepKind.NOTICE:
            warning.notice_deadline = deadline
        _save(
            warning,
            user,
            STEP_VERBS[kind],
            note[:200] or step.original_name,
            occurred_at=_moment(on, today),
            step=step.pk,
        )
        if kind == StepKind.NOTICE:
            notify(
                _people_to_tell(warning.project, warning.district_id),
                STEP_VERBS[kind],
                _("Rectification notice for %(project)s: rectify by %(date)s")
                % {"project": warning.project.name, "date": deadline.isoformat()},
                url=warning.get_absolute_url(),
            )
    return step


def issue_notice(user, warning, *, deadline, document, note="", on=None, expected_version=None):
    """限期整改通知: the rectification notice, with the date to rectify by."""
    return record_step(
        user,
        warning,
        kind=StepKind.NOTICE,
        document=document,
        note=note,
        on=on,
        deadline=deadline,
        expected_version=expected_version,
    )


def decide_clearance(user, warning, *, document, note="", on=None, expected_version=None):
    """清退决定: the clearance decision per the agreement, after the rectification deadline."""
    return record_step(
        user,
        warning,
        kind=StepKind.CLEARANCE,
        document=document,
        note=note,
        on=on,
        expected_version=expected_version,
    )


def recover_land(user, warning, *, document, note="", on=None, expected_version=None):
    """收回土地: the land is recovered after the clearance decision."""
    return record_step(
        user,
        warning,
        kind=StepKind.LAND_RECOVERY,
        document=document,
        note=note,
        on=on,
        expected_version=expected_version,
    )
