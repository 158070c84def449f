from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.projects.choices import Stage


class Party(models.TextChoices):
    """Who owes an obligation: the investing enterprise, or a named department."""

    ENTERPRISE = "enterprise", _("Enterprise")
    DEPARTMENT = "department", _("Department")


class ObligationKind(models.TextChoices):
    """What an obligation measures. The first four are read from the project's own
    records (facts); the rest are confirmed by hand with an evidence file."""

    FUNDS = "funds", _("Funds in place (cumulative)")
    INVESTMENT = "investment", _("Investment completed (cumulative)")
    STAGE = "stage", _("Project stage reached")
    SERVICE = "service", _("Service delivered")
    TAX = "tax", _("Annual tax")
    JOBS = "jobs", _("Jobs")
    INTENSITY = "intensity", _("Investment intensity")
    OUTPUT = "output", _("Annual output")
    ENERGY = "energy", _("Energy saving and emissions")


# Kinds whose status is derived from recorded facts (funds entries, monthly reports,
# stage dates); SERVICE is a fact when a commitment fulfils it, else confirmed by hand.
FACT_KINDS = (ObligationKind.FUNDS, ObligationKind.INVESTMENT, ObligationKind.STAGE)
# Kinds measured by a number (``target_amount``) and the unit it is in.
AMOUNT_KINDS = {
    ObligationKind.FUNDS: _("10k yuan"),
    ObligationKind.INVESTMENT: _("10k yuan"),
    ObligationKind.TAX: _("10k yuan per year"),
    ObligationKind.JOBS: _("people"),
    ObligationKind.INTENSITY: _("10k yuan per mu"),
    ObligationKind.OUTPUT: _("10k yuan per year"),
}
# Kinds measured by a described deliverable (``target_text``); an energy duty names its
# limit with a number (e.g. 单位产值能耗不高于0.35吨标准煤/万元).
TEXT_KINDS = (ObligationKind.SERVICE, ObligationKind.ENERGY)
# Kinds a department can owe; the rest are the enterprise's.
DEPARTMENT_KINDS = (ObligationKind.SERVICE, ObligationKind.STAGE)

# Stages an obligation can name as its target (the dated ones after signing).
TARGET_STAGES = (
    Stage.REGISTERED,
    Stage.LAND_DELIVERED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCTION,
    Stage.CAPACITY,
)


class Term(models.TextChoices):
    """The agreement's terms the exit mechanism needs (SPEC §8, §11); each filled term is
    one obligation of the enterprise, kept in step with the agreement."""

    SCHEDULE = "schedule", _("Investment schedule")
    START = "start", _("Start of construction")
    COMPLETION = "completion", _("Completion")
    PRODUCTION = "production", _("Start of production")
    INTENSITY = "intensity", _("Investment intensity")
    TAX = "tax", _("Tax")
    JOBS = "jobs", _("Jobs")
    OUTPUT = "output", _("Output")
    ENERGY = "energy", _("Energy saving and emissions")
    NONE = "", _("Further obligation")


class ObligationStatus(models.TextChoices):
    """Derived, never typed: met (by the due date, the due date itself included), met
    late, missed (the due date has passed and it is not met), pending (not met, due date
    not passed), waived (released by an amendment, with the reason kept)."""

    PENDING = "pending", _("Not due yet")
    MET = "met", _("Met")
    MET_LATE = "met_late", _("Met late")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class MilestoneState(models.TextChoices):
    """A milestone's state, derived from its done date and due date."""

    OPEN = "open", _("Running")
    DONE = "done", _("Done")
    DONE_LATE = "done_late", _("Done late")
    MISSED = "missed", _("Missed")


class ChangeStatus(models.TextChoices):
    """Where a request to move a filed commitment's milestones stands: asked, approved
    (applied and filed as a new archive version) or refused (with the reason)."""

    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# How the standard terms read (the reader's language).
STAGE_PHRASES = {
    Stage.STARTED: _("Start construction by %(date)s"),
    Stage.COMPLETED: _("Complete construction by %(date)s"),
    Stage.PRODUCTION: _("Start production by %(date)s"),
}
KIND_PHRASES = {
    ObligationKind.FUNDS: _("Funds in place of %(amount)s (10k yuan) in total by %(date)s"),
    ObligationKind.INVESTMENT: _(
        "Investment of %(amount)s (10k yuan) completed in total by %(date)s"
    ),
    ObligationKind.INTENSITY: _(
        "Investment intensity of at least %(amount)s (10k yuan per mu) by %(date)s"
    ),
    ObligationKind.TAX: _("Annual tax of at least %(amount)s (10k yuan) by %(date)s"),
    ObligationKind.JOBS: _("At least %(amount)s jobs by %(date)s"),
    ObligationKind.OUTPUT: _("Annual output of at least %(amount)s (10k yuan) by %(date)s"),
    ObligationKind.ENERGY: _("Energy saving and emission duties by %(date)s"),
}


def figure(value) -> str:
    """A decimal without trailing zeros, with thousands separators (50,000 / 1,234.5)."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
