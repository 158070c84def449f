"""Receipts (手续办理回执单): filed by the project team after a visit to a department, sent to
the project's leader in charge, read by them, corrected only by their filer."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require
from zhaoshang.notifications.services import notify
from zhaoshang.projects.leaders import leader_in_charge
from zhaoshang.service import permissions
from zhaoshang.service.choices import ReceiptResult
from zhaoshang.service.models import Receipt
from zhaoshang.service.services._common import checked_text, next_number, past_date, same_district


def not_team_message(project) -> str:
    return _(
        "Only the project team of “%(project)s” (its project manager, project secretary "
        "or service officer) may fill in its receipts, and you are not on that team."
    ) % {"project": project.name}


def _receipt_fields(project, data: Mapping) -> dict:
    """The checked values of a receipt's content, as filed or corrected; refused with
    every problem at once (a check that needs an earlier field waits for it)."""
    errors: dict = {}
    visited_on = gather(
        errors,
        past_date,
        "visited_on",
        data.get("visited_on"),
        _("Give the date of the visit."),
        _("The date of the visit cannot be in the future."),
    )
    department = data.get("department")
    if department is None:
        errors["department"] = [_("Choose the department visited.")]
    else:
        gather(errors, same_district, "department", department, project.district_id)
        if "department" in errors:
            department = None  # (its handler is not checked against it)
    handler_user = data.get("handler_user")
    handler_name = (data.get("handler_name") or "").strip()
    if handler_user is not None:
        if department is not None and handler_user.department_id != department.pk:
            errors["handler_user"] = [
                _("%(person)s is not a member of %(department)s, the department visited.")
                % {"person": handler_user.display_name, "department": department.name}
            ]
        handler_name = handler_name or handler_user.display_name
    handler_name = gather(
        errors,
        checked_text,
        "handler_name",
        handler_name,
        _("Give the name of the department's handler who received you."),
        limit=40,
    )
    matter = gather(
        errors,
        checked_text,
        "matter",
        data.get("matter"),
        _("Say what the visit was about."),
        limit=200,
    )
    case = data.get("approval_case")
    if case is not None and case.project_id != project.pk:
        errors["approval_case"] = [_("The approval case must be one of this project's cases.")]
    work_done = gather(
        errors, checked_text, "work_done", data.get("work_done"), _("Say what was done.")
    )
    result = data.get("result")
    if result not in ReceiptResult.values:
        errors["result"] = [_("Choose the result: completed, in progress or needs coordination.")]
    problems = gather(errors, checked_text, "problems", data.get("problems"), "", required=False)
    if result == ReceiptResult.NEEDS_COORDINATION and "problems" not in errors and not problems:
        errors["problems"] = [
            _("The result is “needs coordination”: write down the problems to be coordinated.")
        ]
    raise_errors(errors)
    return {
        "visited_on": visited_on,
        "department": department,
        "handler_name": handler_name,
        "handler_user": handler_user,
        "matter": matter,
        "approval_case": case,
        "work_done": work_done,
        "result": result,
        "problems": problems,
    }


def _receipt_notice(receipt: Receipt, corrected: bool = False) -> None:
    if receipt.addressee_id is None:
        return
    if corrected:
        title = _("Receipt %(number)s of %(project)s was corrected")
    else:
        title = _("New receipt %(number)s from %(project)s")
    notify(
        [receipt.addressee],
        "receipt.corrected" if corrected else "receipt.filed",
        title % {"number": receipt.number, "project": receipt.project.name},
        body=f"{receipt.department.name} · {receipt.matter} · {receipt.get_result_display()}",
        url=receipt.get_absolute_url(),
    )


@transaction.atomic
def file_receipt(user, project, **data) -> Receipt:
    """填写回执单: a visit of the project team to a department, numbered HZ-YYYY-NNNN and
    sent to the project's leader in charge (分管县级领导), who is told at once."""
    if not permissions.can_file_receipt(user, project):
        raise ValidationError(
            {"project": ValidationError(not_team_message(project), code="not_team")}
        )
    fields = _receipt_fields(project, data)
    now = clock.now()
    receipt = Receipt(
        district_id=project.district_id,
        project=project,
        filed_by=user,
        filed_at=now,
        addressee=leader_in_charge(project),
        **fields,
    )
    receipt.number = next_number(project.district, "HZ", "receipt", timezone.localdate(now).year)
    receipt.save()
    log_event(
        user,
        "receipt.filed",
        receipt,
        summary=f"{receipt.number} {project.name} · {receipt.department.name}",
        project=project.pk,
        result=receipt.result,
        addressee=receipt.addressee_id,
    )
    _receipt_notice(receipt)
    return receipt


def lock_receipt(receipt: Receipt, expected_version: int | None) -> Receipt:
    """The receipt's row, locked; refused (409) when changed since ``expected_version``."""
    return lock_for_update(
        receipt, expected_version, select_related=("project", "department", "addressee")
    )


@transaction.atomic
def mark_receipt_read(user, receipt: Receipt) -> bool:
    """The leader the receipt is addressed to opened it: recorded once, with the moment."""
    if receipt.addressee_id != user.pk or receipt.read_at is not None:
        return False
    receipt = lock_receipt(receipt, None)
    if receipt.read_at is not None:
        return False
    receipt.read_at = clock.now()
    receipt.save(update_fields=["read_at"])
    log_event(user, "receipt.read", receipt, summary=receipt.number)
    return True


CORRECTABLE = (
    "visited_on",
    "department",
    "handler_name",
    "handler_user",
    "matter",
    "approval_case",
    "work_done",
    "result",
    "problems",
)


@transaction.atomic
def correct_receipt(
    user, receipt: Receipt, *, reason: str, expected_version: int | None = None, **changes
) -> Receipt:
    """A receipt stays as filed; only its filer corrects it, with the reason. The change
    history keeps every version; the leader is told again and sees it unread."""
    receipt = lock_receipt(receipt, expected_version)
    require(permissions.can_correct_receipt(user, receipt))
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be corrected.") for name in sorted(unknown)}
        )
    reason = checked_text(
        "correction_reason", reason, _("Give the reason for the correction."), limit=200
    )
    current = {name: getattr(receipt, name) for name in CORRECTABLE}
    fields = _receipt_fields(receipt.project, {**current, **changes})
    changed = [name for name in CORRECTABLE if fields[name] != current[name]]
    if not changed:
        raise ValidationError(_("Nothing was changed: the receipt is as it was."))
    for name, value in fields.items():
        setattr(receipt, name, value)
    receipt.correction_reason = reason
    receipt.corrected_at = clock.now()
    receipt.read_at = None
    receipt._change_reason = reason
    receipt.save_new_version()
    log_event(
        user, "receipt.corrected", receipt, summary=reason, fields=changed, number=receipt.number
    )
    _receipt_notice(receipt, corrected=True)
    return receipt
