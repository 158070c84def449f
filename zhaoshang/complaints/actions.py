"""The actions on a complaint, shared by its page and the API: who may take each, in which
states it applies, and the service it calls."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.complaints import permissions, services
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.forms import (
    AcceptForm,
    AnswerForm,
    DecideExtensionForm,
    DispatchForm,
    RateForm,
    RequestExtensionForm,
    VerifyForm,
)
from zhaoshang.core.actions import Action, ActionTable

ACTIONS = ActionTable(
    [
        Action(
            "dispatch",
            gettext_lazy("Dispatch to the department"),
            DispatchForm,
            permissions.can_dispatch,
            lambda c: c.status == ComplaintStatus.RECEIVED,
            lambda u, c, d, v: services.dispatch_complaint(
                u, c, department=d.get("department"), expected_version=v
            ),
            gettext_lazy("The complaint has been dispatched."),
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            AcceptForm,
            permissions.can_handle,
            lambda c: c.status == ComplaintStatus.DISPATCHED,
            lambda u, c, d, v: services.accept_complaint(u, c, expected_version=v),
            gettext_lazy("The complaint has been accepted."),
        ),
        Action(
            "answer",
            gettext_lazy("Answer with the facts"),
            AnswerForm,
            permissions.can_handle,
            lambda c: c.status == ComplaintStatus.ACCEPTED,
            lambda u, c, d, v: services.answer_complaint(
                u,
                c,
                department_view=d.get("department_view", ""),
                account=d.get("account", ""),
                attachment=d.get("attachment"),
                expected_version=v,
            ),
            gettext_lazy(
                "The department's account has been sent to the supervision office for verification."
            ),
            "success",
        ),
        Action(
            "verify",
            gettext_lazy("Verify and record the finding"),
            VerifyForm,
            permissions.can_verify,
            lambda c: c.status == ComplaintStatus.VERIFYING,
            lambda u, c, d, v: services.verify_complaint(
                u,
                c,
                outcome=d.get("outcome", ""),
                finding_reason=d.get("finding_reason", ""),
                overrule_reason=d.get("overrule_reason", ""),
                answer=d.get("answer", ""),
                expected_version=v,
            ),
            gettext_lazy("The finding has been recorded and the enterprise answered."),
            "success",
        ),
        Action(
            "rate",
            gettext_lazy("Record the enterprise's rating"),
            RateForm,
            permissions.can_rate,
            lambda c: c.status == ComplaintStatus.ANSWERED,
            lambda u, c, d, v: services.rate_complaint(
                u, c, rating=d.get("rating", ""), reason=d.get("reason", ""), expected_version=v
            ),
            gettext_lazy("The rating has been recorded."),
        ),
        Action(
            "request_extension",
            gettext_lazy("Request an extension (complex case)"),
            RequestExtensionForm,
            permissions.can_request_extension,
            lambda c: c.status == ComplaintStatus.ACCEPTED and c.extension_or_none is None,
            lambda u, c, d, v: services.request_extension(
                u, c, reason=d.get("reason", ""), expected_version=v
            ),
            gettext_lazy("The extension has been requested."),
            "outline-secondary",
        ),
        Action(
            "decide_extension",
            gettext_lazy("Decide on the extension"),
            DecideExtensionForm,
            permissions.can_decide_extension,
            lambda c: (
                c.status == ComplaintStatus.ACCEPTED
                and c.extension_or_none is not None
                and c.extension_or_none.is_pending
            ),
            lambda u, c, d, v: services.decide_extension(
                u,
                c,
                approve=d.get("decision") == "approve",
                reason=d.get("reason", ""),
                workdays_granted=d.get("workdays"),
                expected_version=v,
            ),
            gettext_lazy("The decision on the extension has been recorded."),
        ),
    ]
)
