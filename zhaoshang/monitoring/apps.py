from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhaoshang.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from zhaoshang.core import lights
        from zhaoshang.monitoring.models import LightRule

        # Every light in every app reads the district's rule from this table.
        lights.use_rule_model(LightRule)
