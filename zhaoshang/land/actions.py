"""The actions that carry out a clean-up decision, shared by the campaign page and the API:
who may take each, when it applies, and the service it calls (the decision itself is the
entry's form on the campaign page, ``decide`` in the API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.core.actions import Action, ActionTable
from zhaoshang.land import permissions, services
from zhaoshang.land.choices import FollowUp
from zhaoshang.land.forms import ExitDoneForm, RectifiedForm

ACTIONS = ActionTable(
    [
        Action(
            "rectified",
            gettext_lazy("Confirm the rectification"),
            RectifiedForm,
            permissions.can_follow_up,
            lambda e: e.followup == FollowUp.WATCHING,
            lambda u, e, d, v: services.confirm_rectified(
                u, e, on=d.get("on"), note=d.get("note", ""), expected_version=v
            ),
            gettext_lazy("The rectification has been confirmed."),
            "outline-success",
        ),
        Action(
            "exit",
            gettext_lazy("Record the project's exit (已退出)"),
            ExitDoneForm,
            permissions.can_complete_exit,
            lambda e: e.followup == FollowUp.CLEARING,
            lambda u, e, d, v: services.complete_exit(
                u,
                e,
                on=d.get("on"),
                note=d.get("note", ""),
                document=d.get("document"),
                expected_version=v,
            ),
            gettext_lazy("The project has exited."),
            "outline-danger",
        ),
    ]
)
