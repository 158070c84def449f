"""Joint decisions (联席会议): items that are prerequisites of each other (互为前置) are
approved at the same time with one common due date (同时审批、同时办结)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.approvals import permissions
from zhaoshang.approvals.models import ApprovalCase, JointDecision
from zhaoshang.approvals.services.common import check_date, save_case
from zhaoshang.approvals.services.due import case_limit, common_due
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, raise_errors, require


@transaction.atomic
def record_joint_decision(
    user,
    project,
    cases: list[ApprovalCase],
    decided_on: datetime.date,
    document_number: str,
    note: str = "",
) -> JointDecision:
    """A joint meeting's decision that the cases' items, prerequisites of each other
    (互为前置), are approved at the same time: the cases share one common due date
    (``common_due``: the latest date their own limits give from the decision day, each
    in its own unit), and a prerequisite decided together no longer holds a case up."""
    require(permissions.can_record_joint_decision(user, project))
    cases = list(
        ApprovalCase.objects.select_for_update(of=("self",))
        .filter(pk__in=[c.pk for c in cases])
        .select_related("item")
    )
    # The cases, the document number and the date are all checked before refusing, so that
    # one answer names every problem of the form.
    errors: dict = {}
    if len(cases) < 2 or any(c.project_id != project.pk for c in cases):
        errors["cases"] = [_("Choose at least two cases of this project.")]
    elif any(not c.is_open for c in cases):
        errors["cases"] = [_("Only open cases can be decided jointly.")]
    else:
        ids = {c.item_id for c in cases}
        if not any(set(c.item.prerequisites.values_list("pk", flat=True)) & ids for c in cases):
            errors["cases"] = [
                _(
                    "None of these items is a prerequisite of another: they can run in parallel without a joint decision."
                )
            ]
    if not (document_number or "").strip():
        errors["document_number"] = [_("Give the number of the meeting's decision document.")]
    gather(errors, check_date, "decided_on", decided_on)
    raise_errors(errors)
    common = common_due(decided_on, [case_limit(c) for c in cases])
    decision = JointDecision.objects.create(
        district_id=project.district_id,
        project=project,
        decided_on=decided_on,
        document_number=document_number.strip(),
        note=note,
        common_due_on=common.date,
        common_due_is_provisional=common.provisional,
        recorded_by=user,
    )
    for case in cases:
        case.joint_decision = decision
        if case.materials_complete_on is None:
            case.materials_complete_on = decided_on
        save_case(
            case,
            user,
            "case.joint_decision",
            summary=decision.document_number,
            decision=decision.pk,
        )
    log_event(
        user,
        "project.joint_decision",
        project,
        summary=decision.document_number,
        decision=decision.pk,
    )
    return decision
