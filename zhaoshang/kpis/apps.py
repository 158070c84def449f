from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "zhaoshang.kpis"
    label = "kpis"
    verbose_name = _("Targets and KPIs")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.kpis.events import EVENTS

        register_events(EVENTS)
