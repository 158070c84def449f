from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "zhaoshang.agreements"
    label = "agreements"
    verbose_name = _("Agreements and commitments")

    def ready(self) -> None:
        from zhaoshang.agreements.events import EVENTS
        from zhaoshang.core.audit import register_events

        register_events(EVENTS)
