"""The actions on an exit warning, shared by its page and the API: who may take each, in
which states it applies, and the service it calls."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.core.actions import Action, ActionTable
from zhaoshang.exits import permissions, services
from zhaoshang.exits.choices import ATTRIBUTABLE_STATUSES, WarningStatus
from zhaoshang.exits.forms import ClearanceForm, ConfirmDelayForm, NoticeForm, RecoveryForm

ACTIONS = ActionTable(
    [
        Action(
            "notice",
            gettext_lazy("Issue a rectification notice"),
            NoticeForm,
            permissions.can_record_step,
            lambda w: w.status == WarningStatus.WARNING and not w.rule.is_government,
            lambda u, w, d, v: services.issue_notice(
                u,
                w,
                deadline=d.get("deadline"),
                document=d.get("document"),
                note=d.get("note", ""),
                on=d.get("occurred_on"),
                expected_version=v,
            ),
            gettext_lazy("The rectification notice has been recorded."),
        ),
        Action(
            "clearance",
            gettext_lazy("Record the clearance decision"),
            ClearanceForm,
            permissions.can_record_step,
            lambda w: w.status == WarningStatus.NOTICE,
            lambda u, w, d, v: services.decide_clearance(
                u,
                w,
                document=d.get("document"),
                note=d.get("note", ""),
                on=d.get("occurred_on"),
                expected_version=v,
            ),
            gettext_lazy("The clearance decision has been recorded."),
            "outline-danger",
        ),
        Action(
            "recover",
            gettext_lazy("Record the land recovery"),
            RecoveryForm,
            permissions.can_record_step,
            lambda w: w.status == WarningStatus.CLEARANCE,
            lambda u, w, d, v: services.recover_land(
                u,
                w,
                document=d.get("document"),
                note=d.get("note", ""),
                on=d.get("occurred_on"),
                expected_version=v,
            ),
            gettext_lazy("The land recovery has been recorded."),
            "outline-danger",
        ),
        Action(
            "confirm_delay",
            gettext_lazy("Confirm the government delay"),
            ConfirmDelayForm,
            permissions.can_confirm_delay,
            lambda w: (
                w.status in ATTRIBUTABLE_STATUSES
                and w.delay_confirmed_on is None
                and not w.rule.is_government
            ),
            lambda u, w, d, v: services.confirm_delay(
                u, w, reason=d.get("reason", ""), expected_version=v
            ),
            gettext_lazy("The delay attribution has been confirmed."),
            "outline-secondary",
        ),
    ]
)
