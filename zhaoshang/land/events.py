"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "land_parcel.created": _("Parcel recorded"),
    "land_parcel.updated": _("Parcel edited"),
    "land_parcel.status_changed": _("Parcel status changed"),
    "land_campaign.opened": _("Land clean-up campaign opened"),
    "land_campaign.generated": _("Land clean-up entries generated"),
    "land_campaign.closed": _("Land clean-up campaign closed"),
    "land_entry.decided": _("Land clean-up decision recorded"),
    "land_parcel.recovery_started": _("Land recovery started by a clean-up decision"),
    "land_entry.rectified": _("Clean-up rectification confirmed"),
    "land_entry.recovered": _("Clean-up decision carried out: land recovered"),
    "land_entry.exited": _("Clean-up decision carried out: project exited"),
    "land_entry.overdue": _("Clean-up deadline missed"),
}
