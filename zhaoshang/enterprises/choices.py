from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    LOCAL = "local", _("Local")
    IN_PROVINCE = "in_province", _("Elsewhere in the province")
    OUT_OF_PROVINCE = "out_of_province", _("Outside the province")
    ABROAD = "abroad", _("Abroad")
