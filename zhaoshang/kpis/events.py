"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "annual_target.created": _("Annual target set"),
    "annual_target.updated": _("Annual target changed"),
    "annual_target.deleted": _("Annual target deleted"),
}
