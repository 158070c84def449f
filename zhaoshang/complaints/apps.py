from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "zhaoshang.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from zhaoshang.complaints.events import EVENTS
        from zhaoshang.core.audit import register_events

        register_events(EVENTS)
