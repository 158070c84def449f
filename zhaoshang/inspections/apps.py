from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "zhaoshang.inspections"
    label = "inspections"
    verbose_name = _("Inspections and fees")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.inspections.events import EVENTS

        register_events(EVENTS)
