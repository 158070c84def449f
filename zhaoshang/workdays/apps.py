from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "zhaoshang.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        # The calendar's domain events read in activity feeds like every other app's.
        from zhaoshang.core.audit import EVENT_LABELS

        EVENT_LABELS.update(
            {
                "calendar.year_loaded": _("Holiday arrangement loaded"),
                "calendar.year_published": _("Holiday arrangement published"),
                "calendar.year_edited": _("Holiday arrangement edited"),
            }
        )
