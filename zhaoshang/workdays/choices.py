from django.db import models
from django.utils.translation import gettext_lazy as _


class YearStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class YearSource(models.TextChoices):
    SEED = "seed", _("Shipped with the platform")
    IMPORT = "import", _("Imported file")
    ADMIN = "admin", _("Entered in the admin")


class EntryKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Adjusted working day")
