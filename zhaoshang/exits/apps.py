from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExitsConfig(AppConfig):
    name = "zhaoshang.exits"
    label = "exits"
    verbose_name = _("Exit warnings")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.exits.events import EVENTS

        register_events(EVENTS)
