from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "zhaoshang.service"
    label = "service"
    verbose_name = _("Project service")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.service.events import EVENTS

        register_events(EVENTS)
