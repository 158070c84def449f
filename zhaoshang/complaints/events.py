"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "complaint.received": _("Complaint received"),
    "complaint.dispatched": _("Complaint dispatched to the department"),
    "complaint.accepted": _("Complaint accepted"),
    "complaint.answered": _("The department answered with the facts"),
    "complaint.verified": _("Finding recorded by the supervision office"),
    "complaint.overruled": _("The department's view overruled"),
    "complaint.reopened": _("Complaint reopened: the enterprise is dissatisfied"),
    "complaint.closed": _("Complaint closed"),
    "complaint.extension_requested": _("Extension requested (complex case)"),
    "complaint.extension_approved": _("Extension approved"),
    "complaint.extension_rejected": _("Extension rejected"),
    "complaint.attachment_added": _("File attached"),
}
