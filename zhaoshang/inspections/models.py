"""Inspection and fee requests (涉企检查/收费申报, SPEC §9, work plan 申报审批制度).

A department that wants to inspect, rate (评比) or charge a fee to enterprises files a
request; the supervision office approves or rejects it. Each enterprise of an approved
request gets a visit with a verification code that the enterprise checks at the door
(扫码入企). The supervision office may merge visits of several departments to the same
enterprise into one joint inspection (进一次门、查多项事). The enterprise rates each visit that
took place and reports visits without a valid code, which become complaints.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.inspections.choices import (
    CODE_GRACE_DAYS,
    VISIT_KINDS,
    Kind,
    Rating,
    RequestStatus,
)
from zhaoshang.inspections.querysets import (
    InspectionRequestQuerySet,
    JointInspectionQuerySet,
    UnapprovedVisitReportQuerySet,
    VisitQuerySet,
)


class InspectionSettings(DistrictOwned):
    """The district's guards on inspections, editable by its administrator: the quiet
    days of each month (企业宁静日), the yearly cap of visits per enterprise and department,
    and how many working days an emergency inspection may be filed afterwards."""

    quiet_from_day = models.PositiveSmallIntegerField(
        _("quiet days from (day of month)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    quiet_to_day = models.PositiveSmallIntegerField(
        _("quiet days to (day of month)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    yearly_cap = models.PositiveSmallIntegerField(
        _("visits per enterprise and department per year"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    emergency_workdays = models.PositiveSmallIntegerField(
        _("working days to file an emergency inspection afterwards"),
        default=1,
        validators=[MinValueValidator(0)],
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district"], name="uniq_inspection_settings")
        ]
        verbose_name = _("inspection settings")
        verbose_name_plural = _("inspection settings")

    def __str__(self) -> str:
        return str(_("Inspection settings"))

    @classmethod
    def for_district(cls, district_id) -> InspectionSettings:
        """The district's settings, or the defaults (unsaved) when none were set."""
        found = cls.objects.filter(district_id=district_id).first()
        return found or cls(district_id=district_id)

    def is_quiet(self, day: datetime.date) -> bool:
        return self.quiet_from_day <= day.day <= self.quiet_to_day

    @property
    def quiet_days_label(self) -> str:
        return f"{self.quiet_from_day}–{self.quiet_to_day}"


class InspectionRequest(Versioned, Timestamped, DistrictOwned):
    """One department's request to inspect, rate or charge one or more enterprises."""

    # What its services read beside the row when they lock it (core.services.lock_for_update).
    lock_related = ("department", "filed_by")

    number = models.CharField(_("number"), max_length=20, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="inspection_requests",
        verbose_name=_("filing department"),
    )
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis of the request"))
    planned_on = models.DateField(_("planned date"), db_index=True)
    people = models.TextField(
        _("inspectors"), help_text=_("Names and law-enforcement certificate numbers.")
    )
    is_emergency = models.BooleanField(_("emergency inspection"), default=False)
    emergency_reason = models.TextField(_("reason for the emergency"), blank=True)
    quiet_day_reason = models.TextField(_("reason to visit on a quiet day"), blank=True)
    fee_amount = models.DecimalField(
        _("fee amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fee_basis = models.TextField(_("basis of the fee"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.FILED,
        db_index=True,
    )
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    objects = InspectionRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-planned_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_inspection_number")
        ]
        indexes = [models.Index(fields=["department", "status"])]
        verbose_name = _("inspection request")
        verbose_name_plural = _("inspection requests")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.pk])

    @property
    def is_visit(self) -> bool:
        """Inspections and ratings enter the enterprise; fees do not."""
        return self.kind in VISIT_KINDS


class JointInspection(DistrictOwned):
    """Visits of several departments to one enterprise merged into one visit on one date,
    led by one department (进一次门、查多项事)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="joint_inspections",
        verbose_name=_("enterprise"),
    )
    visit_on = models.DateField(_("joint visit date"))
    lead_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead department"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    objects = JointInspectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-visit_on", "-id"]
        verbose_name = _("joint inspection")
        verbose_name_plural = _("joint inspections")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visit_on:%Y-%m-%d}"


class InspectionVisit(Versioned, DistrictOwned):
    """One enterprise of a request: its visit date, its verification code (issued on
    approval), the department's record that the visit took place and the enterprise's
    rating of it."""

    # What its services read beside the row when they lock it (core.services.lock_for_update).
    lock_related = ("request", "request__department", "enterprise")

    request = models.ForeignKey(
        InspectionRequest,
        on_delete=models.CASCADE,
        related_name="visits",
        verbose_name=_("inspection request"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        verbose_name=_("enterprise"),
    )
    visit_on = models.DateField(_("visit date"), db_index=True)
    code = models.CharField(
        _("verification code"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    joint = models.ForeignKey(
        JointInspection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("joint inspection"),
    )
    carried_out_on = models.DateField(_("carried out on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("comment of the enterprise"), blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["visit_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "enterprise"], name="uniq_visit_enterprise")
        ]
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")

    def __str__(self) -> str:
        return f"{self.request.number} · {self.enterprise}"

    def get_absolute_url(self) -> str:
        return f"{self.request.get_absolute_url()}#visit-{self.pk}"

    @property
    def code_display(self) -> str:
        """The code in groups of four, as printed on the slip."""
        if not self.code:
            return ""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def valid_until(self) -> datetime.date:
        return self.visit_on + datetime.timedelta(days=CODE_GRACE_DAYS)


class UnapprovedVisitReport(DistrictOwned):
    """An enterprise's report of a visit or fee with no valid code, and the complaint it
    became (乱检查/乱收费)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department that came"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    visited_on = models.DateField(_("date of the visit"))
    what_happened = models.TextField(_("what happened"))
    code_shown = models.CharField(_("code shown, if any"), max_length=40, blank=True)
    complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        related_name="unapproved_visit_report",
        verbose_name=_("complaint"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    objects = UnapprovedVisitReportQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("report of an unapproved visit")
        verbose_name_plural = _("reports of unapproved visits")

    def __str__(self) -> str:
        return f"{self.department} {self.visited_on:%Y-%m-%d}"
