from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The site's shell: the home page and the navigation of every staff page. It reads the
    domain apps; none of them reads it."""

    name = "zhaoshang.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
