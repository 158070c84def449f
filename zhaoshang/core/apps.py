from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhaoshang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from zhaoshang.core import clock
        from zhaoshang.core.history import cache_history_managers, copy_m2m_rows_by_id

        # A history row written while the clock is set (the demo's replay) is dated by it.
        pre_create_historical_record.connect(
            clock.set_history_date, dispatch_uid="core.clock.history_date"
        )
        cache_history_managers()
        copy_m2m_rows_by_id()

        from zhaoshang.core.audit import register_events
        from zhaoshang.core.imports.batches import EVENTS

        register_events(EVENTS)  # an import batch confirmed, undone

        from zhaoshang.core import datastamp

        datastamp.install()  # every write moves the data's stamp (core.pagecache)


class ProjectAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the project's site as ``admin.site``
    (``core.admin_site.ProjectAdminSite``: the app list laid out once per process)."""

    default = False  # (CoreConfig is this module's)
    default_site = "zhaoshang.core.admin_site.ProjectAdminSite"
