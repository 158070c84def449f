from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReceiptResult(models.TextChoices):
    """How the visit to the department ended (办理结果)."""

    DONE = "done", pgettext_lazy("receipt result", "Completed")
    IN_PROGRESS = "in_progress", _("In progress")
    NEEDS_COORDINATION = "coordination", _("Needs coordination")


class NeedCategory(models.TextChoices):
    LAND = "land", _("Land use")
    APPROVAL = "approval", _("Approvals")
    FINANCING = "financing", _("Financing")
    UTILITIES = "utilities", _("Water, power and gas")
    LABOUR = "labour", _("Recruitment")
    POLICY = "policy", _("Policy fulfilment")
    INFRASTRUCTURE = "infrastructure", _("Supporting infrastructure")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("need status", "Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Submitted to a meeting")
    CLOSED = "closed", _("Closed")


# A need is open while someone still has to act on it; the clock runs in these statuses.
OPEN_NEED_STATUSES = (NeedStatus.PENDING, NeedStatus.IN_PROGRESS, NeedStatus.ESCALATED)
CLOSED_NEED_STATUSES = (NeedStatus.RESOLVED, NeedStatus.CLOSED)


class RaisedVia(models.TextChoices):
    TEAM = "team", _("Project team")
    ENTERPRISE = "enterprise", _("Enterprise portal")
    RECEIPT = "receipt", _("Service receipt")


class SecondRoundKind(models.TextChoices):
    """The three kinds of second-round service (二次招商服务) of the work plan."""

    PARTNER = "partner", _("Upstream and downstream partner introduced")
    FINANCING = "financing", _("Project and funds matched")
    UPGRADE = "upgrade", _("Low-efficiency enterprise upgraded")


class Period(models.TextChoices):
    WEEK = "week", _("By week")
    MONTH = "month", _("By month")
