from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandConfig(AppConfig):
    name = "zhaoshang.land"
    label = "land"
    verbose_name = _("Land")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.land.events import EVENTS

        register_events(EVENTS)
