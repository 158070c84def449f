from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "zhaoshang.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from zhaoshang.api.events import EVENTS
        from zhaoshang.core.audit import register_events

        register_events(EVENTS)

        from zhaoshang.api import signals  # noqa: F401  (revocation on password/account change)
