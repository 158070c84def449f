"""The life of a case (SPEC §6): materials complete, acceptance (容缺受理 on a pledge),
handling, reporting upward (对口上报), completion (办结, joint cases together), return and
transfer (快速转办), and the working days each department held it."""

from __future__ import annotations

import datetime
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.approvals import permissions
from zhaoshang.approvals.choices import OPEN_STATUSES, CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CaseTransfer
from zhaoshang.approvals.services.attribution import attribute
from zhaoshang.approvals.services.common import (
    NOT_YET_PAUSED,
    check_date,
    lock_case,
    require_case_status,
    save_case,
)
from zhaoshang.approvals.services.scans import record_overdue
from zhaoshang.core import clock
from zhaoshang.core.services import add_errors, gather, raise_errors, require, status_error
from zhaoshang.core.validators import NoMarkupValidator, validate_upload
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import User
from zhaoshang.workdays import services as workdays


def unmet_prerequisites(case: ApprovalCase) -> list[ApprovalItem]:
    """Prerequisite items not yet done for this project (a joint decision waives those
    decided together)."""
    cases = ApprovalCase.objects.filter(project_id=case.project_id, status=CaseStatus.DONE)
    if case.joint_decision_id:
        cases = ApprovalCase.objects.filter(
            Q(project_id=case.project_id, status=CaseStatus.DONE)
            | Q(joint_decision_id=case.joint_decision_id)
        )
    return list(case.item.prerequisites.exclude(pk__in=cases.values("item_id")))


@transaction.atomic
def mark_materials_complete(
    user, case: ApprovalCase, on: datetime.date, expected_version: int | None = None
):
    """申报材料齐备: the clock starts the day after."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case) or permissions.can_register(user, case.project))
    require_case_status(case, CaseStatus.PENDING, CaseStatus.SUPPLEMENT)
    if case.accepted_on:
        # After acceptance, 补正 is a pause: resume_case ends it; the clock start stays.
        raise status_error(_("The case is accepted: record the supplement by resuming the case."))
    # Complete at the window (``applied_on``) before the service center registered it: the
    # days up to registration are the service center's (``attribution``).
    check_date("materials_complete_on", on, case.applied_on or case.registered_on)
    case.materials_complete_on = on
    case.status = CaseStatus.PENDING
    return save_case(case, user, "case.materials_complete", pauses=NOT_YET_PAUSED, on=on)


@transaction.atomic
def accept_case(
    user,
    case: ApprovalCase,
    on: datetime.date,
    expected_version: int | None = None,
    *,
    pledge_materials: str = "",
    pledge_due_on: datetime.date | None = None,
    imported: bool = False,
) -> ApprovalCase:
    """受理. With ``pledge_materials`` the case is accepted with minor materials missing on
    the enterprise's written pledge (容缺受理) and the clock starts now. ``imported``: an
    acceptance recorded from the district's ledger (补录) — a prerequisite with no case on
    the platform was done before it; one with an open case still holds it up."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    if case.status != CaseStatus.PENDING:
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS) and case.handler_id:
            message = ValidationError(
                _("The case is already “%(status)s”; it was accepted by %(who)s."),
                code="already_accepted",
                params={"status": case.get_status_display(), "who": case.handler.display_name},
            )
        else:
            message = ValidationError(
                _("The case is “%(status)s” and cannot be accepted now."),
                code="not_pending",
                params={"status": case.get_status_display()},
            )
        raise status_error(message)
    # The date, the prerequisites and the pledge are all checked before refusing, so that
    # one answer names every problem of the form.
    errors: dict = {}
    gather(errors, check_date, "accepted_on", on, case.registered_on)
    missing = unmet_prerequisites(case)
    if missing and imported:
        on_platform = set(
            ApprovalCase.objects.filter(project_id=case.project_id).values_list(
                "item_id", flat=True
            )
        )
        missing = [p for p in missing if p.pk in on_platform]
    if missing:
        add_errors(
            errors,
            status_error(
                _("The prerequisites are not done yet: %(items)s.")
                % {"items": "、".join(p.name for p in missing)}
            ),
        )
    pledge_materials = (pledge_materials or "").strip()
    if pledge_materials:
        if pledge_due_on is None or (on is not None and pledge_due_on <= on):
            errors.setdefault("pledge_due_on", []).append(
                _(
                    "Give the date by which the enterprise pledges the missing materials; it must be after the acceptance."
                )
            )
    elif case.materials_complete_on is None:
        errors.setdefault("materials_complete_on", []).append(
            _(
                "The materials are not complete: record the day they were, or accept on a written pledge (容缺受理)."
            )
        )
    raise_errors(errors)
    if pledge_materials:
        case.pledge_materials, case.pledge_due_on = pledge_materials, pledge_due_on
        case.materials_complete_on = case.materials_complete_on or on
    case.status = CaseStatus.ACCEPTED
    case.accepted_on = on
    case.handler = user
    pledge = bool(case.pledge_materials)
    return save_case(case, user, "case.accepted", pauses=NOT_YET_PAUSED, on=on, pledge=pledge)


@transaction.atomic
def start_handling(user, case: ApprovalCase, expected_version: int | None = None) -> ApprovalCase:
    """The holding department starts handling an accepted case."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    require_case_status(case, CaseStatus.ACCEPTED)
    case.status = CaseStatus.IN_PROGRESS
    return save_case(case, user, "case.in_progress", due=False)


@transaction.atomic
def report_upward(
    user, case: ApprovalCase, to: str, on: datetime.date, expected_version: int | None = None
):
    """对口上报: the district's part is done and the case goes to a higher authority,
    tracked until it answers."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    require_case_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)
    if not (to or "").strip():
        raise ValidationError({"reported_to": _("Name the authority the case is reported to.")})
    check_date("reported_on", on, case.accepted_on)
    case.status = CaseStatus.REPORTED
    case.reported_on, case.reported_to = on, to.strip()
    return save_case(case, user, "case.reported", summary=to, due=False, on=on)


def _notify_done(case: ApprovalCase) -> None:
    """办结告知: the enterprise's portal accounts and the project team are told (read in
    one query); the enterprise's accounts are sent to the case in the service hall."""
    told = Q(project_roles__project_id=case.project_id)
    if case.project.enterprise_id:
        told |= Q(enterprise_id=case.project.enterprise_id)
    recipients = list(User.objects.filter(told, is_active=True).distinct().order_by("pk"))
    title = _("“%(item)s” is done for %(project)s") % {
        "item": case.item.name,
        "project": case.project.name,
    }
    enterprise = [u for u in recipients if u.enterprise_id]
    staff = [u for u in recipients if not u.enterprise_id]
    notify(staff, "case.done", title, url=case.get_absolute_url())
    notify(enterprise, "case.done", title, url=reverse("portal:case", args=[case.pk]))


def _result_errors(approval_number: str, certificate) -> dict[str, list[str]]:
    """The result recorded with 办结: the approval number and the certificate file."""
    errors: dict[str, list[str]] = {}
    if len(approval_number) > 60:
        errors["approval_number"] = [
            _("The approval number is %(n)d characters long; at most %(max)d.")
            % {"n": len(approval_number), "max": 60}
        ]
    elif approval_number:
        gather(
            errors,
            _field_check,
            "approval_number",
            NoMarkupValidator(_("Approval number")),
            approval_number,
        )
    if certificate is not None:
        gather(errors, _field_check, "certificate", validate_upload, certificate)
    return errors


def _field_check(field: str, check, value) -> None:
    try:
        check(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _close_done(
    user,
    case: ApprovalCase,
    on: datetime.date,
    answer: str = "",
    approval_number: str = "",
    certificate=None,
    imported: bool = False,
) -> ApprovalCase:
    """Close the case as done on ``on``, with its result (approval number, certificate)
    when given; done late, its lateness is attributed and the answering department's
    overdue entry written; the enterprise and the team are told (not of a case imported
    from the district's ledger: 补录 records the past)."""
    case.status = CaseStatus.DONE
    case.done_on = on
    if answer:
        case.higher_answer = answer
    if approval_number:
        case.approval_number = approval_number
    if certificate is not None:
        case.certificate_name = os.path.basename(certificate.name)[:200]
        case.certificate.save(certificate.name, certificate, save=False)
    result = attribute(case, on) if case.done_late else None
    if result is not None:  # who answers for the lateness (``querysets.on_time_q``)
        case.late_party, case.late_department_id = result.late_party, result.late_department_id
    save_case(case, user, "case.done", due=False, on=on)
    if result is not None:
        record_overdue(case, on, result)
    if not imported:
        _notify_done(case)
    return case


@transaction.atomic
def complete_case(
    user,
    case: ApprovalCase,
    on: datetime.date,
    expected_version: int | None = None,
    answer: str = "",
    *,
    approval_number: str = "",
    certificate=None,
    imported: bool = False,
) -> list[ApprovalCase]:
    """办结, with the result when given: the approval number (批准文号) and the certificate
    issued, both for this case. Cases under a joint decision are done together (同时办结).
    ``imported``: recorded from the district's ledger (补录); nobody is told."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    require_case_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.REPORTED)
    if case.paused:  # an open pause (kept by every step and scan that opens or ends one)
        raise status_error(_("End the pause before completing the case."))
    approval_number = (approval_number or "").strip()
    errors = _result_errors(approval_number, certificate)
    if case.status == CaseStatus.REPORTED and not (answer or "").strip():
        errors.setdefault("higher_answer", []).append(_("Record the higher authority's answer."))
    gather(errors, check_date, "done_on", on, case.accepted_on)
    raise_errors(errors)
    if case.joint_decision_id:
        others = list(
            ApprovalCase.objects.select_for_update(of=("self",))
            .filter(joint_decision_id=case.joint_decision_id)
            .exclude(pk=case.pk)
            .select_related("item", "project", "joint_decision")
        )
        not_ready = [
            o
            for o in others
            if o.status
            not in (
                CaseStatus.ACCEPTED,
                CaseStatus.IN_PROGRESS,
                CaseStatus.REPORTED,
                CaseStatus.DONE,
            )
        ]
        if not_ready:
            raise status_error(
                _("Items decided jointly are done together; not yet accepted: %(items)s.")
                % {"items": "、".join(o.item.name for o in not_ready)}
            )
        result = {"approval_number": approval_number, "certificate": certificate}
        return [
            _close_done(
                user, c, on, answer, **(result if c.pk == case.pk else {}), imported=imported
            )
            for c in [case, *others]
            if c.status != CaseStatus.DONE
        ]
    return [_close_done(user, case, on, answer, approval_number, certificate, imported)]


@transaction.atomic
def return_case(
    user, case: ApprovalCase, reason: str, on: datetime.date, expected_version: int | None = None
):
    """退回: the case goes back to the enterprise."""
    case = lock_case(case, expected_version)
    require(permissions.can_handle(user, case))
    require_case_status(case, *OPEN_STATUSES)
    if not (reason or "").strip():
        raise ValidationError({"return_reason": _("Give the reason for returning the case.")})
    check_date("returned_on", on, case.registered_on)
    pauses = list(case.pauses.all())
    for pause in pauses:
        if pause.ended_on is None:
            pause.ended_on = on
            pause.save()
    case.status = CaseStatus.RETURNED
    case.returned_on, case.return_reason = on, reason.strip()
    return save_case(case, user, "case.returned", summary=reason, pauses=pauses, on=on)


@transaction.atomic
def transfer_case(
    user,
    case: ApprovalCase,
    to_department,
    reason: str,
    on: datetime.date,
    expected_version: int | None = None,
) -> CaseTransfer:
    """快速转办: another department takes the case; the clock keeps running and who held it
    for how long stays on record."""
    case = lock_case(case, expected_version)
    require(permissions.can_transfer(user, case))
    require_case_status(case, *OPEN_STATUSES)
    # The department, the reason and the date are all checked before refusing.
    errors: dict = {}
    if to_department.district_id != case.district_id:
        errors["to_department"] = [_("This record belongs to another district.")]
    elif to_department.pk == case.department_id:
        errors["to_department"] = [_("The case is already with this department.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the transfer.")]
    last = (
        case.transfers.order_by("-transferred_on").values_list("transferred_on", flat=True).first()
    )
    gather(errors, check_date, "transferred_on", on, last or case.registered_on)
    raise_errors(errors)
    transfer = CaseTransfer.objects.create(
        case=case,
        from_department=case.department,
        to_department=to_department,
        transferred_on=on,
        reason=reason.strip(),
        transferred_by=user,
    )
    case.department = to_department
    save_case(
        case,
        user,
        "case.transferred",
        summary=f"{transfer.from_department} → {to_department}",
        due=False,
        to=to_department.pk,
        reason=reason,
    )
    return transfer


def days_held_by_department(
    case: ApprovalCase, today: datetime.date | None = None
) -> dict[int, int]:
    """Working days the case's clock ran while each department held it (paused days do not
    count): the evidence for the assessment of timeliness. The calendar is read once for
    the whole span, whatever the number of transfers and pauses."""
    start = case.materials_complete_on
    if start is None:
        return {}
    end = case.done_on or case.returned_on or (today or clock.today())
    transfers = list(case.transfers.order_by("transferred_on", "id"))
    holders = []
    holder = transfers[0].from_department_id if transfers else case.department_id
    cursor = start
    for t in transfers:
        holders.append((holder, cursor, max(cursor, t.transferred_on)))
        holder, cursor = t.to_department_id, max(cursor, t.transferred_on)
    holders.append((holder, cursor, max(cursor, end)))
    pauses = [(p.started_on, p.ended_on or end) for p in case.pauses.all()]
    calendar = workdays.CalendarWindow(start, holders[-1][2])
    held: dict[int, int] = {}
    for department, a, b in holders:
        days = calendar.workdays_between(a, b)
        for p_start, p_end in pauses:
            lo, hi = max(a, p_start), min(b, p_end)
            if hi > lo:
                days -= calendar.workdays_between(lo, hi)
        held[department] = held.get(department, 0) + max(days, 0)
    return held
