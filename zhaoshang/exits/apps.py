from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExitsConfig(AppConfig):
    name = "zhaoshang.exits"
    label = "exits"
    verbose_name = _("Exit warnings")
