"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "api_token.issued": _("API token issued"),
    "api_token.revoked": _("API token revoked"),
}
