from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "zhaoshang.onboarding"
    label = "onboarding"
    verbose_name = _("Ledger import")

    def ready(self) -> None:
        from zhaoshang.core.audit import register_events
        from zhaoshang.onboarding.events import EVENTS

        register_events(EVENTS)
