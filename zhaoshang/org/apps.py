from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhaoshang.org"
    label = "org"
    verbose_name = _("Organisation")
