from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "zhaoshang.meetings"
    label = "meetings"
    verbose_name = _("Meetings and supervision")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.meetings.events import EVENTS

        register_events(EVENTS)
