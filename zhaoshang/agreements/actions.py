"""The actions on a change request of a filed commitment, shared by its page and the API:
who may take each, when it applies, and the service it calls."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.agreements import permissions, services
from zhaoshang.agreements.forms import DecisionForm
from zhaoshang.core.actions import Action, ActionTable


def _may_decide(user, change) -> bool:
    return permissions.can_decide_change(user, change.commitment)


CHANGE_ACTIONS = ActionTable(
    [
        Action(
            "approve",
            gettext_lazy("Approve and file the new version"),
            DecisionForm,
            _may_decide,
            lambda change: change.is_pending,
            lambda u, change, d, v: services.approve_change(
                u, change, note=d.get("note", ""), expected_version=v
            ),
            gettext_lazy("The change is approved and filed as a new version."),
            "primary",
        ),
        Action(
            "refuse",
            gettext_lazy("Refuse"),
            DecisionForm,
            _may_decide,
            lambda change: change.is_pending,
            lambda u, change, d, v: services.refuse_change(
                u, change, note=d.get("note", ""), expected_version=v
            ),
            gettext_lazy("The change is refused."),
            "outline-danger",
        ),
    ]
)
