"""Choices of the exit mechanism (退出机制, SPEC §11)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleCode(models.TextChoices):
    """The three exit rules of the work plan: 三个月不开工、两年不投产、三年不见效."""

    NOT_STARTED = "not_started", _("Not started within 3 months (三个月不开工)")
    NOT_PRODUCING = "not_producing", _("Not in production within 2 years (两年不投产)")
    NO_BENEFIT = "no_benefit", _("No benefit within 3 years (三年不见效)")
    # The government's own rule: a signed project whose land was never delivered. Its
    # warning is addressed to the government side; it takes no step against the enterprise.
    NO_LAND = "no_land", _("Land not delivered after signing (签约未供地)")


# Rules whose warning is the government's delay, not the enterprise's.
GOVERNMENT_RULES = (RuleCode.NO_LAND,)


class Anchor(models.TextChoices):
    """The project date a rule counts its months from."""

    LAND_DELIVERED = "land_delivered", _("Land delivered (交地)")
    SIGNED = "signed", _("Signed (签约)")
    STARTED = "started", _("Started (开工)")


# The project field that holds each anchor's date.
ANCHOR_FIELDS = {
    Anchor.LAND_DELIVERED: "land_delivered_on",
    Anchor.SIGNED: "signed_on",
    Anchor.STARTED: "started_on",
}


class ClearingFact(models.TextChoices):
    """What a project must have reached for the rule to be satisfied."""

    STARTED = "started", _("Construction started")
    PRODUCTION = "production", _("Production started")
    BENEFIT = "benefit", _("Agreed benefit reached (tax, output or intensity)")
    LAND = "land", _("Land delivered")


class DueSource(models.TextChoices):
    """Where a warning's due date comes from: the investment agreement's own date for the
    rule's fact (its start, production or benefit terms; the land delivery owed by a
    department), else the rule table (the anchor date plus the rule's months)."""

    CONTRACT = "contract", _("The investment agreement's date")
    RULE = "rule", _("The default rule")


class WarningStatus(models.TextChoices):
    """The steps of an exit warning, in order, and the two ways out of them."""

    WARNING = "warning", _("Warning (预警)")
    NOTICE = "notice", _("Rectification notice (限期整改通知)")
    CLEARANCE = "clearance", _("Clearance decision (清退决定)")
    LAND_RECOVERED = "land_recovered", _("Land recovered (收回土地)")
    CLEARED = "cleared", _("Cleared: condition met")
    EXCLUDED = "excluded", _("Excluded: delay not the enterprise's own (非企业自身原因)")


class StepKind(models.TextChoices):
    """The recorded steps after the warning, each with a document."""

    NOTICE = "notice", _("Rectification notice (限期整改通知)")
    CLEARANCE = "clearance", _("Clearance decision (清退决定)")
    LAND_RECOVERY = "land_recovery", _("Land recovery (收回土地)")


class DelayKind(models.TextChoices):
    """What held a project up on the government's side (政府原因延误)."""

    APPROVAL_CASE = "case", _("Overdue approval case")
    MILESTONE = "milestone", _("Overdue commitment milestone")
    OBLIGATION = "obligation", _("Unmet department obligation")
    PROBLEM = "problem", _("Open problem assigned to a department")
    LAND = "land", _("Land not delivered")


# The step each step needs before it, and the status it leads to.
STEP_FROM = {
    StepKind.NOTICE: WarningStatus.WARNING,
    StepKind.CLEARANCE: WarningStatus.NOTICE,
    StepKind.LAND_RECOVERY: WarningStatus.CLEARANCE,
}
STEP_TO = {
    StepKind.NOTICE: WarningStatus.NOTICE,
    StepKind.CLEARANCE: WarningStatus.CLEARANCE,
    StepKind.LAND_RECOVERY: WarningStatus.LAND_RECOVERED,
}
# Warnings the district still has to act on.
OPEN_STATUSES = (WarningStatus.WARNING, WarningStatus.NOTICE, WarningStatus.CLEARANCE)
# Warnings the daily scan closes when the project meets the condition: before a clearance
# decision is taken (after it, the decision stands; a decision is undone by hand).
CLEARABLE_STATUSES = (WarningStatus.WARNING, WarningStatus.NOTICE, WarningStatus.EXCLUDED)
# Where the delay attribution may still be confirmed.
ATTRIBUTABLE_STATUSES = (WarningStatus.WARNING, WarningStatus.NOTICE)

# The defaults of the work plan: (code, anchor, months, clearing fact), in the order of
# their months (the rule table's order).
DEFAULT_RULES = [
    (RuleCode.NOT_STARTED, Anchor.LAND_DELIVERED, 3, ClearingFact.STARTED),
    # The government's: the land clean-up's 签而不建 counts 6 months from signing too.
    (RuleCode.NO_LAND, Anchor.SIGNED, 6, ClearingFact.LAND),
    (RuleCode.NOT_PRODUCING, Anchor.LAND_DELIVERED, 24, ClearingFact.PRODUCTION),
    (RuleCode.NO_BENEFIT, Anchor.LAND_DELIVERED, 36, ClearingFact.BENEFIT),
]
MAX_MONTHS = 120
