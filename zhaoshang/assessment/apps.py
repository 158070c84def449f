from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "zhaoshang.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from zhaoshang.assessment.events import EVENTS
        from zhaoshang.core.audit import register_events

        register_events(EVENTS)
