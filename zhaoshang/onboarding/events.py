"""The domain events this app writes and how they read in activity feeds."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "district.go_live_set": _("Go-live date set"),
}
