"""Land (SPEC §11 and the work plan's 用地保障 / 园区土地清理): the district's parcels and
their status, the annual land plan with its share reserved for major projects, and the
half-yearly clean-up campaign with its entries and decisions. The thresholds a project's
land use is measured against are the district's one table in ``exits`` (``LandThreshold``),
which the exit rule 三年不见效 reads too."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.land.choices import (
    HANDED_OVER,
    SIGNED_MONTHS,
    CampaignStatus,
    Decision,
    EntryCategory,
    FollowUp,
    Half,
    LandUse,
    ParcelStatus,
)
from zhaoshang.land.querysets import (
    CampaignEntryQuerySet,
    CampaignQuerySet,
    LandParcelQuerySet,
    LandPlanQuerySet,
)

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
AREA = {"max_digits": 10, "decimal_places": 2, "validators": NON_NEGATIVE}
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": NON_NEGATIVE}
RATE = {"max_digits": 12, "decimal_places": 2, "validators": NON_NEGATIVE}


class LandParcel(Versioned, Timestamped, DistrictOwned):
    """A parcel of land (地块) in a park: held in the reserve (储备), reserved (预留),
    supplied to a project (已供), found idle (闲置) or recovered (收回). Its status changes
    only through ``land.services``; the idle-land clock runs on it once it is handed over."""

    code = models.CharField(
        _("parcel number"),
        max_length=40,
        help_text=_("e.g. DK-2026-001, or the cadastral code (不动产单元号)."),
    )
    name = models.CharField(_("name"), max_length=120)
    location = models.CharField(_("location"), max_length=200, blank=True)
    park = models.ForeignKey(
        "org.Park", on_delete=models.PROTECT, related_name="land_parcels", verbose_name=_("park")
    )
    area = models.DecimalField(_("area (mu)"), **AREA)
    land_use = models.CharField(
        _("land use"), max_length=20, choices=LandUse.choices, default=LandUse.INDUSTRIAL
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ParcelStatus.choices,
        default=ParcelStatus.RESERVE,
        db_index=True,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="land_parcels",
        verbose_name=_("project"),
    )
    delivered_on = models.DateField(_("delivered on (交地日期)"), null=True, blank=True)
    land_price = models.DecimalField(_("land price (10k yuan)"), **MONEY, null=True, blank=True)
    agreed_start_on = models.DateField(
        _("agreed start of construction"),
        null=True,
        blank=True,
        help_text=_(
            "As the land contract (出让合同 or 划拨决定书) says: the national idle-land rule "
            "counts from it. Left empty, the start term of the project's investment agreement "
            "is used."
        ),
    )
    contract_number = models.CharField(_("land contract number"), max_length=60, blank=True)
    plot_ratio = models.DecimalField(
        _("plot ratio"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=NON_NEGATIVE,
    )  # fmt: skip
    idle_on = models.DateField(_("declared idle on"), null=True, blank=True)
    recovered_on = models.DateField(_("recovered on"), null=True, blank=True)
    recovery_document = models.CharField(
        _("recovery decision (document number)"), max_length=100, blank=True
    )
    recovery_started_on = models.DateField(
        _("land recovery started on"),
        null=True,
        blank=True,
        help_text=_("Set by a clean-up decision to recover the land (收回土地)."),
    )
    status_reason = models.TextField(_("reason for the last status change"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = LandParcelQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="uniq_land_parcel_code")
        ]
        indexes = [models.Index(fields=["district", "status"])]
        verbose_name = _("land parcel")
        verbose_name_plural = _("land parcels")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("land:parcel", args=[self.pk])

    @property
    def is_handed_over(self) -> bool:
        return self.status in HANDED_OVER

    def clock(self, today: datetime.date):
        """The idle-land clock on ``today``; uses the SQL annotations of
        ``LandParcelQuerySet.with_clock`` when the parcel was read with them."""
        from zhaoshang.land.clock import IdleClock, clock_state, idle_dates

        if hasattr(self, "effective_start_on"):
            start = self.effective_start_on
            idle_on, recoverable_on = self.idle_from, self.recoverable_from
            running = bool(self.clock_running)
        else:
            start = self.agreed_start_on or self.agreement_start()
            idle_on, recoverable_on = idle_dates(start)
            running = bool(
                self.is_handed_over
                and self.project_id
                and self.project.started_on is None
                and start is not None
            )
        return IdleClock(
            agreed_start_on=start,
            idle_on=idle_on if running else None,
            recoverable_on=recoverable_on if running else None,
            state=clock_state(running, idle_on, recoverable_on, today),
            today=today,
            land_price=self.land_price,
        )

    def agreement_start(self) -> datetime.date | None:
        """The agreed start of construction in the project's investment agreement."""
        from zhaoshang.agreements.choices import Term
        from zhaoshang.agreements.models import Obligation

        if not self.project_id:
            return None
        return (
            Obligation.objects.filter(
                agreement__project_id=self.project_id, term=Term.START, waived_on__isnull=True
            )
            .order_by("due_on")
            .values_list("due_on", flat=True)
            .first()
        )


class LandPlan(DistrictOwned):
    """The district's annual land plan (年度用地计划): its quota in mu and the share
    reserved for major projects (重大项目预留, 有限指标保重点)."""

    year = models.PositiveSmallIntegerField(_("year"))
    quota = models.DecimalField(_("land quota (mu)"), **AREA)
    major_reserve = models.DecimalField(
        _("reserved for major projects (mu)"),
        **AREA,
        default=Decimal("0"),
        help_text=_("The part of the quota kept for major projects."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = LandPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="uniq_land_plan_year"),
            models.CheckConstraint(
                condition=models.Q(major_reserve__lte=models.F("quota")),
                name="land_plan_reserve_within_quota",
            ),
        ]
        verbose_name = _("annual land plan")
        verbose_name_plural = _("annual land plans")

    def __str__(self) -> str:
        return f"{self.year}: {self.quota}"


class LandCampaign(Versioned, DistrictOwned):
    """A half-yearly land clean-up (园区土地清理, 每半年): the projects that hold land
    without building, signed without starting, built without producing, or use land below
    the thresholds, each with the decision taken on it."""

    year = models.PositiveSmallIntegerField(_("year"))
    half = models.CharField(_("half-year"), max_length=2, choices=Half.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    as_of = models.DateField(
        _("campaign date"), help_text=_("The date the projects are measured on.")
    )
    delivered_months = models.PositiveSmallIntegerField(
        _("land held: months after delivery"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("The exit rule 三个月不开工 as it stood when the campaign was opened."),
    )
    signed_months = models.PositiveSmallIntegerField(
        _("signed, not started: months after signing"),
        default=SIGNED_MONTHS,
        validators=[MinValueValidator(1)],
    )
    production_months = models.PositiveSmallIntegerField(
        _("built, not producing: months"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_("The exit rule 两年不投产 as it stood when the campaign was opened."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_on = models.DateField(_("opened on"))
    report_on = models.DateField(_("report date"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.TextField(_("note"), blank=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-year", "-half", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "half"], name="uniq_land_campaign_half"
            )
        ]
        verbose_name = _("land clean-up campaign")
        verbose_name_plural = _("land clean-up campaigns")

    def __str__(self) -> str:
        return f"{self.year} {self.get_half_display()}"

    def get_absolute_url(self) -> str:
        return reverse("land:campaign", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class CampaignEntry(Versioned, DistrictOwned):
    """One project in one category of a clean-up campaign, with the facts as they stood
    when the entry was generated and the decision taken on it."""

    # What its services read beside the row when they lock it (core.services.lock_for_update).
    lock_related = ("campaign", "project")

    campaign = models.ForeignKey(
        LandCampaign,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("campaign"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="land_campaign_entries",
        verbose_name=_("project"),
    )
    parcel = models.ForeignKey(
        LandParcel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_entries",
        verbose_name=_("parcel"),
    )
    category = models.CharField(_("category"), max_length=20, choices=EntryCategory.choices)
    # Facts at generation time.
    land_area = models.DecimalField(_("land area (mu)"), **AREA, null=True, blank=True)
    delivered_on = models.DateField(_("land delivered on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    production_on = models.DateField(_("in production on"), null=True, blank=True)
    intensity = models.DecimalField(
        _("investment intensity (10k yuan per mu)"), **RATE, null=True, blank=True
    )
    tax_per_mu = models.DecimalField(
        _("tax per mu (10k yuan per mu)"), **RATE, null=True, blank=True
    )
    min_intensity = models.DecimalField(
        _("minimum investment intensity"), **RATE, null=True, blank=True
    )
    min_tax_per_mu = models.DecimalField(_("minimum tax per mu"), **RATE, null=True, blank=True)
    # The decision.
    decision = models.CharField(
        _("disposal decision"), max_length=12, choices=Decision.choices, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    facts_reason = models.TextField(
        _("reason for deciding against the facts"),
        blank=True,
        help_text=_(
            "Needed when the decision contradicts the record: clearing out a project that "
            "started building before the decision, or recovering a parcel idle for less "
            "than a year."
        ),
    )
    # The follow-up the decision started (SPEC §20).
    followup = models.CharField(
        _("follow-up"), max_length=12, choices=FollowUp.choices, blank=True, db_index=True
    )
    followup_on = models.DateField(_("follow-up started on"), null=True, blank=True)
    exit_warning = models.ForeignKey(
        "exits.ExitWarning",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exit warning"),
    )
    overdue_on = models.DateField(_("deadline missed (found on)"), null=True, blank=True)
    done_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)

    objects = CampaignEntryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["campaign", "category", "project__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "project", "category"], name="uniq_campaign_entry"
            )
        ]
        verbose_name = _("campaign entry")
        verbose_name_plural = _("campaign entries")

    def __str__(self) -> str:
        return f"{self.campaign}: {self.project_id} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return f"{self.campaign.get_absolute_url()}#entry-{self.pk}"

    @property
    def lacks_followup(self) -> bool:
        """Decided, but its follow-up never started."""
        return bool(self.decision) and not self.followup


class CleanupLead(DistrictOwned):
    """The leader who leads the district's half-yearly land clean-up (work plan: 每半年，由
    分管工业副区长牵头组织有关部门全面开展园区土地清理): the deputy district head holding
    the industrial duty. Users carry no duties (a leader's position is free text), so the
    land app keeps this one duty itself, one row per district, set in the admin site."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("leader"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["district"]
        constraints = [models.UniqueConstraint(fields=["district"], name="uniq_land_cleanup_lead")]
        verbose_name = _("clean-up lead (分管工业副区长)")
        verbose_name_plural = _("clean-up leads (分管工业副区长)")

    def __str__(self) -> str:
        return str(self.leader)
