"""The actions on a complaint, shared by its page and the API: who may take each, in which
states it applies, and the service it calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from zhaoshang.complaints import permissions, services
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.forms import AcceptForm, AnswerForm, DispatchForm, RateForm


@dataclass(frozen=True)
class Action:
    slug: str
    label: object
    form: type
    allowed: Callable
    applies: Callable
    run: Callable
    done: object
    style: str = "outline-primary"


ACTIONS: list[Action] = [
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
        gettext_lazy("Answer"),
        AnswerForm,
        permissions.can_handle,
        lambda c: c.status == ComplaintStatus.ACCEPTED,
        lambda u, c, d, v: services.answer_complaint(
            u, c, outcome=d.get("outcome", ""), answer=d.get("answer", ""), expected_version=v
        ),
        gettext_lazy("The answer has been recorded."),
        "success",
    ),
    Action(
        "rate",
        gettext_lazy("Record the enterprise's rating"),
        RateForm,
        permissions.can_rate,
        lambda c: c.status == ComplaintStatus.ANSWERED,
        lambda u, c, d, v: services.rate_complaint(
            u, c, rating=d.get("rating", ""), expected_version=v
        ),
        gettext_lazy("The rating has been recorded."),
    ),
]
ACTIONS_BY_SLUG = {a.slug: a for a in ACTIONS}
