"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "agreement.created": _("Agreement recorded"),
    "agreement.updated": _("Agreement edited"),
    "agreement.deleted": _("Agreement deleted"),
    "obligation.added": _("Obligation added"),
    "obligation.updated": _("Obligation edited"),
    "obligation.removed": _("Obligation removed"),
    "obligation.confirmed": _("Obligation confirmed with evidence"),
    "obligation.waived": _("Obligation waived"),
    "obligation.missed": _("Obligation missed (breach recorded)"),
    "commitment.created": _("Service commitment made"),
    "commitment.replanned": _("Reverse schedule planned again"),
    "commitment.completed": _("Service commitment completed"),
    "commitment.filed": _("Filed to the park committee's archive"),
    "commitment.deleted": _("Service commitment deleted"),
    "commitment.change_requested": _("Change of the filed schedule requested"),
    "commitment.change_approved": _("Change of the filed schedule approved"),
    "commitment.change_refused": _("Change of the filed schedule refused"),
    "milestone.progress": _("Milestone progress reported"),
    "milestone.done": _("Milestone done"),
    "milestone.rescheduled": _("Milestone moved"),
    "milestone.missed": _("Milestone missed"),
}
