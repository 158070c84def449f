from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhaoshang.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from zhaoshang.core import lights
        from zhaoshang.monitoring import worst
        from zhaoshang.monitoring.models import LightRule, Signal

        # Every light in every app reads the district's rule from this table.
        lights.use_rule_model(LightRule)
        # A signal saved or deleted (a cascade too) moves its project's stored light.
        post_save.connect(worst.signal_written, sender=Signal, dispatch_uid="worst_saved")
        post_delete.connect(worst.signal_written, sender=Signal, dispatch_uid="worst_deleted")
