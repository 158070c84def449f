from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "zhaoshang.ratings"
    label = "ratings"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.ratings.events import EVENTS

        register_events(EVENTS)
