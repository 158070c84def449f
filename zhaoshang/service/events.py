"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "receipt.filed": _("Receipt filed"),
    "receipt.read": _("Receipt read by the leader"),
    "receipt.corrected": _("Receipt corrected"),
    "instruction.written": _("Instruction written (批示)"),
    "need.raised": _("Problem raised"),
    "need.updated": _("Problem edited"),
    "need.started": _("Problem taken up"),
    "need.resolved": _("Problem solved"),
    "need.escalated": _("Problem submitted to a joint meeting"),
    "need.closed": _("Problem closed"),
    "need.attachment_added": _("File attached to the problem"),
    "receipt.forwarded": _("Receipt forwarded to the principal leaders"),
    "need.forwarded": _("Problem forwarded to the principal leaders"),
    "forward.read": _("Forwarded item read by the principal leader"),
    "second_round.recorded": _("Second-round service recorded"),
}
