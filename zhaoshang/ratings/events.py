"""The domain events this app writes and how they read in activity feeds."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "rating.recorded": _("Service rated by the enterprise"),
    "rating.followed_up": _("Dissatisfied rating followed up by the supervision office"),
}
