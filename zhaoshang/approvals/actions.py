"""The actions on an approval case, shared by the case page and the API: who may take
each, in which states it applies, and the service it calls. The field names of the inputs
are the keys of the services' errors (``accepted_on``, ``extension_reason`` …)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.approvals import permissions, services
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.forms import (
    AcceptForm,
    CompleteForm,
    ExtendForm,
    FulfilPledgeForm,
    MaterialsCompleteForm,
    PauseForm,
    ReportForm,
    ResumeForm,
    ReturnForm,
    StartForm,
    TransferForm,
)
from zhaoshang.core.actions import Action, ActionTable


def _may_handle(user, case) -> bool:
    """The holding department (and admins) act on the case."""
    return permissions.can_handle(user, case)


def _may_mark_materials(user, case) -> bool:
    return permissions.can_handle(user, case) or permissions.can_register(user, case.project)


def _running(case) -> bool:
    return case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS) and not case.paused


def _run_complete(user, case, d, v):
    return services.complete_case(
        user,
        case,
        d["done_on"],
        v,
        answer=d.get("higher_answer", ""),
        approval_number=d.get("approval_number") or "",
        certificate=d.get("certificate"),
    )


ACTIONS = ActionTable(
    [
        Action(
            "materials-complete",
            gettext_lazy("Materials complete"),
            MaterialsCompleteForm,
            _may_mark_materials,
            lambda c: (
                c.status == CaseStatus.PENDING
                or (c.status == CaseStatus.SUPPLEMENT and c.accepted_on is None)
            ),
            lambda u, c, d, v: services.mark_materials_complete(
                u, c, d["materials_complete_on"], v
            ),
            gettext_lazy("The materials are recorded as complete; the clock starts the next day."),
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            AcceptForm,
            _may_handle,
            lambda c: c.status == CaseStatus.PENDING,
            lambda u, c, d, v: services.accept_case(
                u,
                c,
                d["accepted_on"],
                v,
                pledge_materials=d.get("pledge_materials") or "",
                pledge_due_on=d.get("pledge_due_on"),
            ),
            gettext_lazy("The case has been accepted."),
            "primary",
        ),
        Action(
            "start",
            gettext_lazy("Start handling"),
            StartForm,
            _may_handle,
            lambda c: c.status == CaseStatus.ACCEPTED and not c.paused,
            lambda u, c, d, v: services.start_handling(u, c, v),
            gettext_lazy("The case is now in progress."),
            "primary",
        ),
        Action(
            "complete",
            gettext_lazy("Complete"),
            CompleteForm,
            _may_handle,
            lambda c: (
                c.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.REPORTED)
                and not c.paused
            ),
            _run_complete,
            gettext_lazy("The case is done; the enterprise has been notified."),
            "success",
        ),
        Action(
            "pause",
            gettext_lazy("Pause the clock"),
            PauseForm,
            _may_handle,
            lambda c: (
                _running(c) or (c.status == CaseStatus.PENDING and not c.materials_complete_on)
            ),
            lambda u, c, d, v: services.pause_case(
                u, c, d["kind"], d["reason"], d["started_on"], v
            ),
            gettext_lazy("The clock has been paused."),
        ),
        Action(
            "resume",
            gettext_lazy("Resume the clock"),
            ResumeForm,
            _may_handle,
            lambda c: c.paused and c.is_open,
            lambda u, c, d, v: services.resume_case(u, c, d["ended_on"], v),
            gettext_lazy("The clock runs again; the due date has been recomputed."),
            "primary",
        ),
        Action(
            "fulfil-pledge",
            gettext_lazy("Pledged materials received"),
            FulfilPledgeForm,
            _may_handle,
            lambda c: bool(c.pledge_materials) and not c.pledge_fulfilled_on and c.is_open,
            lambda u, c, d, v: services.fulfil_pledge(u, c, d["pledge_fulfilled_on"], v),
            gettext_lazy("The pledged materials are recorded as received."),
        ),
        Action(
            "extend",
            gettext_lazy("Extend (special circumstances)"),
            ExtendForm,
            _may_handle,
            lambda c: (
                c.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.SUPPLEMENT)
                and c.accepted_on is not None
                and not c.extended
                and c.item.special_time_limit > c.time_limit
            ),
            lambda u, c, d, v: services.extend_case(
                u, c, d["extension_reason"], d["extension_approver"], d["extended_on"], v
            ),
            gettext_lazy("The time limit has been extended."),
            "outline-warning",
        ),
        Action(
            "report",
            gettext_lazy("Report upward"),
            ReportForm,
            _may_handle,
            _running,
            lambda u, c, d, v: services.report_upward(u, c, d["reported_to"], d["reported_on"], v),
            gettext_lazy("The case has been reported upward."),
        ),
        Action(
            "transfer",
            gettext_lazy("Transfer (快速转办)"),
            TransferForm,
            permissions.can_transfer,
            lambda c: c.is_open,
            lambda u, c, d, v: services.transfer_case(
                u, c, d["to_department"], d["reason"], d["transferred_on"], v
            ),
            gettext_lazy("The case has been transferred; its due date is unchanged."),
        ),
        Action(
            "return",
            gettext_lazy("Return to the enterprise"),
            ReturnForm,
            _may_handle,
            lambda c: c.is_open,
            lambda u, c, d, v: services.return_case(u, c, d["return_reason"], d["returned_on"], v),
            gettext_lazy("The case has been returned to the enterprise."),
            "outline-danger",
        ),
    ]
)
