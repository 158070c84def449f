"""The actions on an action item and on a meeting, shared by their pages and the API: who
may take each, in which states it applies, and the service it calls. The names of the
inputs are the keys of the services' errors (``text``, ``evidence``, ``reason`` …)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhaoshang.core import clock
from zhaoshang.core.actions import Action, ActionTable
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.choices import ActionStatus, MeetingStatus
from zhaoshang.meetings.forms import (
    CloseForm,
    CompleteForm,
    HeldForm,
    MinutesForm,
    ProgressForm,
    ReturnForm,
)


def _awaiting(item) -> bool:
    return item.status == ActionStatus.AWAITING_CONFIRMATION


ACTIONS = ActionTable(
    [
        Action(
            "progress",
            gettext_lazy("Report progress"),
            ProgressForm,
            permissions.is_owner,
            lambda item: item.is_open,
            lambda u, item, d, v: services.report_progress(
                u, item, d["text"], d.get("recorded_on"), v, attachment=d.get("file")
            ),
            gettext_lazy("The progress has been recorded."),
        ),
        Action(
            "complete",
            gettext_lazy("Report done"),
            CompleteForm,
            permissions.is_owner,
            lambda item: item.is_open,
            lambda u, item, d, v: services.complete_action_item(
                u, item, d["text"], d.get("evidence"), d.get("completed_on"), v
            ),
            gettext_lazy("The item is reported done; the supervision office will confirm it."),
            "success",
        ),
        Action(
            "close",
            gettext_lazy("Confirm and close"),
            CloseForm,
            permissions.can_supervise,
            _awaiting,
            lambda u, item, d, v: services.close_action_item(
                u, item, d.get("note", ""), d.get("closed_on"), v
            ),
            gettext_lazy("The action item is closed."),
            "success",
        ),
        Action(
            "return",
            gettext_lazy("Send back to be redone"),
            ReturnForm,
            permissions.can_supervise,
            _awaiting,
            lambda u, item, d, v: services.return_action_item(
                u, item, d["reason"], d.get("due_on"), v
            ),
            gettext_lazy("The action item has been sent back to its owner."),
            "outline-danger",
        ),
    ]
)


def _may_hold(meeting) -> bool:
    return (
        not meeting.is_final
        and meeting.status == MeetingStatus.PLANNED
        and meeting.held_on <= clock.today()
    )


# The meeting's own steps, taken by its organisers (the agenda and the decisions have
# their own forms).
MEETING_ACTIONS = ActionTable(
    [
        Action(
            "held",
            gettext_lazy("Mark as held"),
            HeldForm,
            permissions.can_manage_meeting,
            _may_hold,
            lambda u, meeting, d, v: services.mark_held(u, meeting, v),
            gettext_lazy("The meeting is recorded as held."),
        ),
        Action(
            "minutes",
            gettext_lazy("Issue the minutes"),
            MinutesForm,
            permissions.can_manage_meeting,
            lambda meeting: not meeting.is_final,
            lambda u, meeting, d, v: services.issue_minutes(
                u,
                meeting,
                minutes=d["minutes"],
                minutes_number=d["minutes_number"],
                issued_on=d.get("minutes_issued_on"),
                minutes_file=d.get("minutes_file"),
                expected_version=v,
            ),
            gettext_lazy("The minutes have been issued."),
        ),
    ]
)
