"""The actions on an inspection request and on each of its visits, shared by the request
page and the API: who may take each, in which states it applies, and the service it calls.
Request actions receive the request; visit actions receive the visit."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.core import clock
from zhaoshang.core.actions import Action, ActionTable
from zhaoshang.inspections import permissions, services
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.forms import (
    ApproveForm,
    CancelForm,
    MergeForm,
    RateForm,
    RecordForm,
    RejectForm,
)


def _open_visit(v) -> bool:
    return v.request.status == RequestStatus.APPROVED and v.carried_out_on is None


REQUEST_ACTIONS = ActionTable(
    [
        Action(
            "approve",
            gettext_lazy("Approve"),
            ApproveForm,
            permissions.can_decide,
            lambda r: r.status == RequestStatus.FILED,
            lambda u, r, d, v: services.approve_request(u, r, expected_version=v),
            gettext_lazy("The request has been approved; the verification codes are issued."),
            "success",
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            RejectForm,
            permissions.can_decide,
            lambda r: r.status == RequestStatus.FILED,
            lambda u, r, d, v: services.reject_request(
                u, r, reason=d.get("reason", ""), expected_version=v
            ),
            gettext_lazy("The request has been rejected."),
            "outline-danger",
        ),
        Action(
            "cancel",
            gettext_lazy("Cancel the request"),
            CancelForm,
            permissions.can_manage,
            lambda r: r.status in (RequestStatus.FILED, RequestStatus.APPROVED),
            lambda u, r, d, v: services.cancel_request(
                u, r, reason=d.get("reason", ""), expected_version=v
            ),
            gettext_lazy("The request has been cancelled."),
            "outline-secondary",
        ),
    ]
)

VISIT_ACTIONS = ActionTable(
    [
        Action(
            "merge",
            gettext_lazy("Merge into a joint inspection"),
            MergeForm,
            lambda u, visit: permissions.can_decide(u, visit.request),
            lambda visit: _open_visit(visit) and visit.request.is_visit,
            lambda u, visit, d, v: services.merge_visits(
                u,
                visit,
                others=d.get("others"),
                visit_on=d.get("visit_on"),
                lead_department=d.get("lead_department"),
                expected_version=v,
            ),
            gettext_lazy("The visits have been merged into a joint inspection."),
        ),
        Action(
            "record",
            gettext_lazy("Record the visit carried out"),
            RecordForm,
            lambda u, visit: permissions.can_manage(u, visit.request),
            lambda visit: _open_visit(visit) and visit.visit_on <= clock.today(),
            lambda u, visit, d, v: services.record_visit(
                u,
                visit,
                carried_out_on=d.get("carried_out_on"),
                findings=d.get("findings", ""),
                expected_version=v,
            ),
            gettext_lazy("The visit has been recorded."),
            "success",
        ),
        Action(
            "rate",
            gettext_lazy("Record the enterprise's rating"),
            RateForm,
            permissions.can_rate,
            lambda visit: visit.carried_out_on is not None and not visit.rating,
            lambda u, visit, d, v: services.rate_visit(
                u,
                visit,
                rating=d.get("rating", ""),
                comment=d.get("comment", ""),
                expected_version=v,
            ),
            gettext_lazy("The rating has been recorded."),
        ),
    ]
)
