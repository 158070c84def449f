"""The actions on a problem of the problem list (问题清单), shared by its page and the API:
who may take each, in which states it applies, and the service it calls."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.core.actions import Action, ActionTable
from zhaoshang.service import permissions, services
from zhaoshang.service.choices import OPEN_NEED_STATUSES, NeedStatus
from zhaoshang.service.forms import CloseNeedForm, EscalateNeedForm, ResolveNeedForm, StartNeedForm


def _in(*statuses):
    return lambda need: need.status in statuses


NEED_ACTIONS = ActionTable(
    [
        Action(
            "start",
            gettext_lazy("Take it up"),
            StartNeedForm,
            permissions.can_start_need,
            _in(NeedStatus.PENDING),
            lambda u, need, d, v: services.start_need(u, need, v),
            gettext_lazy("The problem is being handled."),
            "primary",
        ),
        Action(
            "resolve",
            gettext_lazy("Solved"),
            ResolveNeedForm,
            permissions.can_resolve_need,
            _in(*OPEN_NEED_STATUSES),
            lambda u, need, d, v: services.resolve_need(
                u, need, d.get("resolution", ""), d.get("resolved_on"), v
            ),
            gettext_lazy("The problem is recorded as solved."),
            "success",
        ),
        Action(
            "escalate",
            gettext_lazy("Submit to a joint meeting"),
            EscalateNeedForm,
            permissions.can_escalate_need,
            _in(NeedStatus.PENDING, NeedStatus.IN_PROGRESS),
            lambda u, need, d, v: services.escalate_need(u, need, d.get("escalation_note", ""), v),
            gettext_lazy("The problem is submitted to a joint meeting."),
            "warning",
        ),
        Action(
            "close",
            gettext_lazy("Close without a solution"),
            CloseNeedForm,
            permissions.can_close_need,
            _in(*OPEN_NEED_STATUSES),
            lambda u, need, d, v: services.close_need(u, need, d.get("resolution", ""), v),
            gettext_lazy("The problem is closed."),
            "outline-secondary",
        ),
    ]
)
