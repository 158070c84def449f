from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    UTILITY = "utility", _("Public utility")
    PARK_COMMITTEE = "park_committee", _("Park management committee")
    SUPERVISION = "supervision", _("Supervision office")


class Rank(models.TextChoices):
    COUNTY = "county", _("County-level cadre")
    SECTION = "section", _("Section-level cadre")
    GENERAL = "general", _("General cadre")
    ENTERPRISE = "enterprise", _("Enterprise")


class IndustryCategory(models.TextChoices):
    LEADING = "leading", _("Leading industry")
    EMERGING = "emerging", _("Emerging industry")
    OTHER = "other", _("Other")


class IndustryClassLevel(models.TextChoices):
    SECTION = "section", _("Section (门类)")
    DIVISION = "division", _("Division (大类)")
    GROUP = "group", _("Group (中类)")
    CLASS = "class", _("Class (小类)")


class WorkingGroupKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("Leading group")
    MAJOR_PROJECTS = "major_projects", _("Major projects group")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure group")
    LAND = "land", _("Land group")
    FUNDS = "funds", _("Funds group")
    INDUSTRY = "industry", _("Industry group")
