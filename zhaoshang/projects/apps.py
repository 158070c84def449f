from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zhaoshang.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.projects.events import EVENTS

        register_events(EVENTS)
