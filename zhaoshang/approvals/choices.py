from django.db import models
from django.utils.translation import gettext_lazy as _

# The one light of the product; re-exported for the apps that still import it from here.


class ItemLevel(models.TextChoices):
    DISTRICT = "district", _("Decided in the district")
    REPORTED = "reported", _("Reported to a higher authority")


class LimitUnit(models.TextChoices):
    WORKDAY = "workday", _("Working days")
    NATURAL_DAY = "natural_day", _("Natural days")


class Phase(models.TextChoices):
    """The four stages of 工程建设项目审批, plus utility connections."""

    PROJECT_LAND = "project_land", _("Project approval and land-use planning")
    WORKS_PLANNING = "works_planning", _("Construction-works planning permit")
    CONSTRUCTION = "construction", _("Construction permit")
    ACCEPTANCE = "acceptance", _("Completion acceptance")
    UTILITIES = "utilities", _("Utility connections")


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")
    SUPPLEMENT = "supplement", _("Awaiting supplementary materials")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Reported upward")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")


OPEN_STATUSES = (
    CaseStatus.PENDING,
    CaseStatus.SUPPLEMENT,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.REPORTED,
)
CLOSED_STATUSES = (CaseStatus.DONE, CaseStatus.RETURNED)
# Statuses in which the clock runs (once materials are complete).
CLOCK_STATUSES = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.REPORTED,
    CaseStatus.SUPPLEMENT,
)


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Supplementing materials (补正)")
    HEARING = "hearing", _("Special procedure: hearing")
    EXPERT_REVIEW = "expert_review", _("Special procedure: expert review")
    SITE_SURVEY = "site_survey", _("Special procedure: on-site survey")
    PLEDGE_OVERDUE = "pledge_overdue", _("Pledged materials overdue (容缺)")
