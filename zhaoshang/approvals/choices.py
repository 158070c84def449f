from django.db import models
from django.utils.translation import gettext_lazy as _

# The one light of the product; re-exported for the apps that still import it from here.


class ItemLevel(models.TextChoices):
    DISTRICT = "district", _("Decided in the district")
    REPORTED = "reported", _("Reported to a higher authority")


# The district's promise (承诺时限) for an item it approves itself: 3 working days after
# complete materials, 10 under the special procedure (work plan 三(三)2 "限时办结制").
PROMISE_WORKDAYS = 3
SPECIAL_PROCEDURE_WORKDAYS = 10


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


class Party(models.TextChoices):
    """Who a case's days belong to (SPEC §20 "Whose days"), and who answers for its lateness."""

    DEPARTMENT = "department", _("Holding department")
    PREREQUISITE = "prerequisite", _("Department of a prerequisite")
    SERVICE_CENTER = "service_center", _("Service center (registration)")
    HIGHER = "higher", _("Higher authority")
    ENTERPRISE = "enterprise", _("Enterprise (prerequisite not applied for)")
    PAUSED = "paused", _("Clock stopped (pause)")


# The parties whose days no district department answers for.
NOT_DISTRICT_PARTIES = (Party.HIGHER, Party.ENTERPRISE, Party.PAUSED)
