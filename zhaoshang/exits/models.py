"""Exit warnings (退出机制预警, SPEC §11; work plan: 对因企业自身原因造成“三个月不开工、两年不
投产、三年不见效”的项目，坚决按照投资合同约定予以清理，及时回收土地).

A district's rule table (``ExitRule``) says, per rule, which project date the months count
from, how many months, and what fact satisfies it. A rule's due date is the investment
agreement's own date for that fact when the agreement has one (its start, production or
benefit terms), else the anchor date plus the rule's months. The government's delays hold
the enterprise's clock: while a government-side blocker is open (an overdue approval case,
an unmet department obligation, a missed commitment milestone, an open problem assigned
to a department, land not delivered) the clock stops, and the due date moves out by the
working days held (``effective_due_on``), every day, without waiting for anyone. The daily
scan raises one ``ExitWarning`` per project and rule once that moved date has passed
without the fact; the supervision office or the bureau then records the steps —
rectification notice with a deadline (限期整改), clearance decision (清退), land recovery
(收回土地) — each an ``ExitStep`` with its document. A signed project whose land was never
delivered is caught by the government's own rule (签约未供地): its warning is addressed to
the government side and takes no step against the enterprise.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.history import ScanHistoricalRecords
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.exits.choices import (
    GOVERNMENT_RULES,
    MAX_MONTHS,
    OPEN_STATUSES,
    Anchor,
    ClearingFact,
    DueSource,
    RuleCode,
    StepKind,
    WarningStatus,
)
from zhaoshang.exits.querysets import (
    ExitRuleQuerySet,
    ExitStepQuerySet,
    ExitWarningQuerySet,
    LandThresholdQuerySet,
)
from zhaoshang.projects.models import NON_NEGATIVE


class ExitRule(DistrictOwned):
    """One exit rule of a district (三个月不开工 …): N months after the anchor date the
    project must have reached the clearing fact. For the benefit rule, the agreed value
    is the agreement's enterprise obligation (annual tax, investment intensity, confirmed
    output); where the agreement sets none, the district's thresholds (``LandThreshold``,
    by park and industry) apply."""

    code = models.CharField(_("rule"), max_length=20, choices=RuleCode.choices)
    anchor = models.CharField(
        _("counted from"),
        max_length=20,
        choices=Anchor.choices,
        default=Anchor.LAND_DELIVERED,
    )
    months = models.PositiveSmallIntegerField(
        _("months"), validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHS)]
    )
    clears_by = models.CharField(_("satisfied by"), max_length=20, choices=ClearingFact.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ExitRuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["district", "months", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="uniq_exit_rule_code"),
            models.CheckConstraint(
                condition=models.Q(months__gte=1, months__lte=MAX_MONTHS),
                name="exit_rule_months_range",
            ),
        ]
        verbose_name = _("exit rule")
        verbose_name_plural = _("exit rules")

    def __str__(self) -> str:
        return str(self.get_code_display())

    @property
    def is_government(self) -> bool:
        """The government's own rule (签约未供地): no step against the enterprise."""
        return self.code in GOVERNMENT_RULES


RATE = {"max_digits": 12, "decimal_places": 2, "validators": NON_NEGATIVE}


class LandThreshold(DistrictOwned):
    """The district's thresholds (SPEC §11: set per park or industry, not in code), one
    table for the exit rule 三年不见效 (where the agreement sets no benefit terms) and the
    land clean-up's low-efficiency list: investment intensity and per-mu tax (10k yuan per
    mu), plot ratio. A row without park and industry is the district's default; each
    measure is taken from the most specific row that sets it (park and industry, then
    park, then industry, then default): ``exits.services.thresholds``."""

    park = models.ForeignKey(
        "org.Park",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("park"),
    )
    industry = models.ForeignKey(
        "org.Industry",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("industry"),
    )
    min_intensity = models.DecimalField(
        _("minimum investment intensity (10k yuan per mu)"), **RATE, null=True, blank=True
    )
    min_tax_per_mu = models.DecimalField(
        _("minimum tax per mu (10k yuan per mu)"), **RATE, null=True, blank=True
    )
    min_plot_ratio = models.DecimalField(
        _("minimum plot ratio"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=NON_NEGATIVE,
    )  # fmt: skip

    objects = LandThresholdQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["district", "park", "industry", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=models.Q(park__isnull=True, industry__isnull=True),
                name="uniq_threshold_default",
            ),
            models.UniqueConstraint(
                fields=["district", "park"],
                condition=models.Q(park__isnull=False, industry__isnull=True),
                name="uniq_threshold_park",
            ),
            models.UniqueConstraint(
                fields=["district", "industry"],
                condition=models.Q(park__isnull=True, industry__isnull=False),
                name="uniq_threshold_industry",
            ),
            models.UniqueConstraint(
                fields=["district", "park", "industry"],
                condition=models.Q(park__isnull=False, industry__isnull=False),
                name="uniq_threshold_park_industry",
            ),
        ]
        verbose_name = _("land threshold")
        verbose_name_plural = _("land thresholds")

    def __str__(self) -> str:
        scope = " · ".join(str(x) for x in (self.park, self.industry) if x is not None)
        return scope or str(_("District default"))


class ExitWarning(Versioned, Timestamped, DistrictOwned):
    """An exit warning (退出预警) of one project under one rule, raised once by the daily
    scan, and the steps taken on it since."""

    # What its services read beside the row when they lock it (core.services.lock_for_update).
    lock_related = ("project", "rule")

    # No index of its own for the district, the project, the rule and the due date (nor for
    # the district, project, rule, status and dates of the history rows, read by warning
    # alone): each index is written for every warning the daily scan raises (100,000 at its
    # first run over 100,000 projects) and its history row. A warning is read by its
    # project (``uniq_exit_warning`` leads with it), by rule and status (the scan), by status
    # and newest first (the desk), a district's newest first (the desk, the API and the
    # admin of a district-wide role: ``warning_district_recent``); none by district alone (a
    # district is never deleted) nor in the order of its due date by default.
    district = models.ForeignKey(
        "org.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="exit_warnings",
        verbose_name=_("project"),
        db_index=False,
    )
    rule = models.ForeignKey(
        ExitRule,
        on_delete=models.PROTECT,
        related_name="warnings",
        verbose_name=_("rule"),
        db_index=False,
    )
    anchor_on = models.DateField(_("counted from"))
    due_on = models.DateField(_("due on"))
    raised_on = models.DateField(_("raised on"), db_index=True)
    # indexed by ``warning_status``: a plain index, without the ``_like`` twin PostgreSQL
    # makes for a varchar's ``db_index`` (no read matches a status by pattern)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=WarningStatus.choices,
        default=WarningStatus.WARNING,
    )
    due_source = models.CharField(
        _("due date from"), max_length=10, choices=DueSource.choices, default=DueSource.RULE
    )
    # The government's delay (因企业自身原因): the working days the enterprise's clock was
    # held, the intervals that held it (each with its source and link) and, while one is
    # still open, the day the clock stopped. Recomputed by the daily scan.
    delay_workdays = models.PositiveIntegerField(_("government delay (working days)"), default=0)
    delay_causes = models.JSONField(_("causes of the delay"), default=list, blank=True)
    held_since = models.DateField(_("clock held since"), null=True, blank=True)
    delay_reason = models.TextField(_("reason for the attribution"), blank=True)
    delay_confirmed_on = models.DateField(_("attribution confirmed on"), null=True, blank=True)
    # Only a person's deletion reads it (PROTECT), by ``warning_delay_confirmed_by``, which
    # holds only the warnings someone confirmed a delay of.
    delay_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attribution confirmed by"),
        db_index=False,
    )
    effective_due_on = models.DateField(
        _("effective due date"),
        help_text=_("The due date moved out by the working days the government held the project."),
    )
    excluded_on = models.DateField(_("excluded on"), null=True, blank=True)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    cleared_note = models.CharField(_("how it was cleared"), max_length=200, blank=True)
    notice_deadline = models.DateField(_("rectify by"), null=True, blank=True)

    objects = ExitWarningQuerySet.as_manager()
    # (the history's time and person: ``core.history.ScanHistoricalRecords``)
    history = ScanHistoricalRecords(
        user_index="warning_history_user",
        excluded_fields=["updated_at", "version"],
        no_db_index=[
            "district",
            "project",
            "rule",
            "delay_confirmed_by",
            "due_on",
            "raised_on",
            "status",
        ],
    )

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            # One warning per project and rule, ever: the scan never raises it twice.
            models.UniqueConstraint(fields=["project", "rule"], name="uniq_exit_warning")
        ]
        indexes = [
            models.Index(fields=["status"], name="warning_status"),
            models.Index(fields=["rule", "status"]),
            # A district's warnings newest first (the default order): the desk's, the API's
            # and the admin's first page and count, whatever the district's size; the status
            # in it counts the desk's (all but the excluded) off the index alone.
            models.Index(
                fields=["district", "raised_on", "id", "status"], name="warning_district_recent"
            ),
            models.Index(
                fields=["delay_confirmed_by"],
                condition=models.Q(delay_confirmed_by__isnull=False),
                name="warning_delay_confirmed_by",
            ),
        ]
        verbose_name = _("exit warning")
        verbose_name_plural = _("exit warnings")

    def __str__(self) -> str:
        return f"{self.project_id} · {self.rule}"

    def get_absolute_url(self) -> str:
        return reverse("exits:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_government(self) -> bool:
        return self.rule.is_government


def step_upload_to(instance, filename: str) -> str:
    return f"exits/{instance.warning.district_id}/{instance.warning_id}/{filename}"


class ExitStep(models.Model):
    """A step taken on an exit warning — rectification notice (with its deadline),
    clearance decision, land recovery — with its date, document, note and who recorded it."""

    # The steps go with their warning (only the demo's reset deletes warnings).
    warning = models.ForeignKey(
        ExitWarning, on_delete=models.CASCADE, related_name="steps", verbose_name=_("warning")
    )
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    occurred_on = models.DateField(_("date"))
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to=step_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)

    objects = ExitStepQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_on", "id"]
        constraints = [models.UniqueConstraint(fields=["warning", "kind"], name="uniq_exit_step")]
        verbose_name = _("exit step")
        verbose_name_plural = _("exit steps")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    def get_absolute_url(self) -> str:
        return reverse("exits:document", args=[self.warning_id, self.pk])
