"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "report.issued": _("Report issued"),
    "report.reissued": _("Report reissued (new version)"),
}
