from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "zhaoshang.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from zhaoshang.approvals.events import EVENTS
        from zhaoshang.core.audit import register_events

        register_events(EVENTS)
