from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "zhaoshang.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.reports.events import EVENTS

        register_events(EVENTS)
