"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "case.registered": _("Case registered"),
    "case.materials_complete": _("Materials complete"),
    "case.supplement_requested": _("Supplementary materials requested (补正)"),
    "case.accepted": _("Accepted"),
    "case.in_progress": _("Handling started"),
    "case.paused": _("Clock paused"),
    "case.resumed": _("Clock resumed"),
    "case.extended": _("Extended (special circumstances)"),
    "case.transferred": _("Transferred (快速转办)"),
    "case.reported": _("Reported upward"),
    "case.done": _("Done"),
    "case.returned": _("Returned"),
    "case.pledge_fulfilled": _("Pledged materials received"),
    "case.pledge_overdue": _("Pledged materials overdue"),
    "case.joint_decision": _("Joint decision: approved together"),
    "project.green_channel_registered": _("Green-channel cases registered"),
    "project.joint_decision": _("Joint decision recorded"),
    "approval_item.prerequisites_set": _("Prerequisites set"),
    "approval_item.created": _("Approval item added"),
    "approval_item.updated": _("Approval item edited"),
}
