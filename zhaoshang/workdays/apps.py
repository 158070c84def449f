from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "zhaoshang.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.workdays.events import EVENTS

        register_events(EVENTS)
