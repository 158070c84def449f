"""Choices of the land app (SPEC §11; the work plan's 用地保障 and 园区土地清理)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParcelStatus(models.TextChoices):
    RESERVE = "reserve", _("Reserve")
    RESERVED = "reserved", _("Reserved")
    SUPPLIED = "supplied", _("Supplied")
    IDLE = "idle", _("Idle")
    RECOVERED = "recovered", _("Recovered")


class LandUse(models.TextChoices):
    INDUSTRIAL = "industrial", _("Industrial")
    WAREHOUSING = "warehousing", _("Warehousing and logistics")
    COMMERCIAL = "commercial", _("Commercial and service")
    INFRASTRUCTURE = "infrastructure", _("Public infrastructure")
    OTHER = "other", _("Other")


# Which status a parcel may move to from each status (the service checks the rest).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ParcelStatus.RESERVE: (ParcelStatus.RESERVED, ParcelStatus.SUPPLIED),
    ParcelStatus.RESERVED: (ParcelStatus.RESERVE, ParcelStatus.SUPPLIED),
    ParcelStatus.SUPPLIED: (ParcelStatus.IDLE, ParcelStatus.RECOVERED),
    ParcelStatus.IDLE: (ParcelStatus.SUPPLIED, ParcelStatus.RECOVERED),
    ParcelStatus.RECOVERED: (ParcelStatus.RESERVE,),
}
# Parcels handed to a project: the idle-land clock runs on them.
HANDED_OVER = (ParcelStatus.SUPPLIED, ParcelStatus.IDLE)
# Parcels counted as supplied in the year they were delivered (the annual land plan).
SUPPLIED_STATUSES = (ParcelStatus.SUPPLIED, ParcelStatus.IDLE, ParcelStatus.RECOVERED)

# 闲置土地处置办法 (国土资源部令第53号): idle one year after the agreed start of
# construction, with an idle fee of 20% of the land price; recovered without compensation
# after two years.
IDLE_AFTER_YEARS = 1
RECOVER_AFTER_YEARS = 2
IDLE_FEE_SHARE = Decimal("0.20")


class Clock(models.TextChoices):
    """Where a parcel stands on the idle-land clock."""

    NONE = "", _("Not running")
    RUNNING = "running", _("Running")
    IDLE = "idle", _("Idle: fee due")
    RECOVERABLE = "recoverable", _("May be recovered without compensation")


class Half(models.TextChoices):
    H1 = "H1", _("First half")
    H2 = "H2", _("Second half")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class EntryCategory(models.TextChoices):
    ENCLOSED = "enclosed", _("Land held, not built (圈而不建)")
    SIGNED = "signed", _("Signed, not started (签而不建)")
    BUILT = "built", _("Built, not producing (建而不产)")
    LOW_EFFICIENCY = "low_efficiency", _("Low-efficiency project")


class Decision(models.TextChoices):
    OBSERVE = "observe", _("Keep under observation (保留观察)")
    RECTIFY = "rectify", _("Rectify by a deadline (限期整改)")
    RECOVER = "recover", _("Recover the land (收回土地)")
    CLEAR = "clear", _("Clear out under the law (依法清退)")
    REVITALIZE = "revitalize", _("Put to better use (盘活利用)")


class FollowUp(models.TextChoices):
    """What carrying out a clean-up decision has reached (SPEC §20: each decision starts its
    follow-up). Empty: not started (a decision recorded before decisions were carried out);
    a campaign does not close while a decided entry has none."""

    NONE = "", _("Not started")
    OBSERVING = "observing", _("Under observation: checked again by the next campaign")
    WATCHING = "watching", _("Deadline watched by the daily scan")
    RECTIFIED = "rectified", _("Rectified")
    RECOVERING = "recovering", _("Land recovery under way")
    RECOVERED = "recovered", _("Land recovered")
    CLEARING = "clearing", _("Exit steps under way")
    EXITED = "exited", _("Project exited")


# The follow-up each decision starts.
FOLLOW_UP_OF = {
    Decision.OBSERVE: FollowUp.OBSERVING,
    Decision.RECTIFY: FollowUp.WATCHING,
    Decision.REVITALIZE: FollowUp.WATCHING,
    Decision.RECOVER: FollowUp.RECOVERING,
    Decision.CLEAR: FollowUp.CLEARING,
}
# Decisions that set a deadline the daily scan watches (限期整改, and the date the
# enterprise is given before recovery or clearance proceeds).
DEADLINE_DECISIONS = (Decision.RECTIFY, Decision.REVITALIZE, Decision.RECOVER, Decision.CLEAR)
# Follow-ups still running: their deadline is watched.
RUNNING_FOLLOW_UPS = (FollowUp.WATCHING, FollowUp.RECOVERING, FollowUp.CLEARING)
# A decision may be revised only while its follow-up is one of these (nothing has been set
# going outside the entry: no land recovery, no exit steps).
REVISABLE_FOLLOW_UPS = (FollowUp.NONE, FollowUp.OBSERVING, FollowUp.WATCHING)

# The campaign's own default: signed this many months before the campaign date and not
# started. The other measures are the district's exit rules (one set of thresholds): land
# held without building is the rule 三个月不开工, built and not producing 两年不投产
# (``exits.ExitRule``, read when the campaign is opened).
SIGNED_MONTHS = 6
