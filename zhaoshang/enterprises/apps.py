from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "zhaoshang.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.enterprises.events import EVENTS

        register_events(EVENTS)
