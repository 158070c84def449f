"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "calendar.year_loaded": _("Holiday arrangement loaded"),
    "calendar.year_published": _("Holiday arrangement published"),
    "calendar.year_edited": _("Holiday arrangement edited"),
}
