"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "inspection.filed": _("Inspection request filed"),
    "inspection.approved": _("Inspection request approved; codes issued"),
    "inspection.rejected": _("Inspection request rejected"),
    "inspection.cancelled": _("Inspection request cancelled"),
    "inspection.merged": _("Merged into a joint inspection"),
    "inspection.carried_out": _("Visit carried out"),
    "inspection.rated": _("Visit rated by the enterprise"),
}
