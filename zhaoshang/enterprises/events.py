"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "enterprise.created": _("Enterprise registered"),
    "enterprise.updated": _("Enterprise edited"),
    "enterprise.deleted": _("Enterprise deleted"),
    "enterprise.imported": _("Enterprises imported from Excel"),
    "enterprise.contact_invited": _("Contact invited"),
    "enterprise.contact_invitation_withdrawn": _("Contact invitation withdrawn"),
    "enterprise.contact_joined": _("Contact joined the service hall"),
    "enterprise.contact_removed": _("Contact removed"),
}
