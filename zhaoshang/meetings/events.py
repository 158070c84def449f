"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "meeting.scheduled": _("Meeting scheduled"),
    "meeting.updated": _("Meeting edited"),
    "meeting.agenda_added": _("Put on the agenda"),
    "meeting.agenda_removed": _("Taken off the agenda"),
    "meeting.held": _("Meeting held"),
    "meeting.minutes_issued": _("Minutes issued"),
    "decision.recorded": _("Decision recorded"),
    "action_item.created": _("Action item assigned (督办)"),
    "action_item.updated": _("Action item changed"),
    "action_item.progress": _("Progress reported"),
    "action_item.completed": _("Reported done, awaiting confirmation"),
    "action_item.closed": _("Closed by the supervision office"),
    "action_item.returned": _("Sent back to be redone (退回重办)"),
    "action_item.overdue": _("Overdue: escalated"),
}
