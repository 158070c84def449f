from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the scheduler and its job runs, the outbox sweep, backups, health."""

    name = "zhaoshang.ops"
    label = "ops"
    verbose_name = _("Operations")
