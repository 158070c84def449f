"""Annual targets (SPEC §12; the work plan's "369" 招大引强目标任务): per year and per district,
working group or department, the big-project tiers (how many projects of at least a given
size) and the totals of signed investment and funds in place. Progress against them is
derived from the projects (``querysets.AnnualTargetQuerySet.with_progress``), never typed."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.kpis.querysets import AnnualTargetQuerySet

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": NON_NEGATIVE}

# The "369" defaults (万元): 3 projects of at least 100亿, 6 of at least 50亿, 9 of at least
# 10亿. The work plan names the "369" target without its sizes; these are the usual ones.
DEFAULT_TIERS = (
    (Decimal("1000000"), 3),
    (Decimal("500000"), 6),
    (Decimal("100000"), 9),
)
TIER_NUMBERS = (1, 2, 3)


class TargetScope(models.TextChoices):
    DISTRICT = "district", _("District")
    WORKING_GROUP = "working_group", _("Working group")
    DEPARTMENT = "department", _("Department")


class AnnualTarget(DistrictOwned, Versioned, Timestamped):
    """The targets of one year for the district itself, one of its working groups or one
    of its departments (at most one of the two is set).

    The three tiers are size bands from the largest down: a project counts in tier 1 when
    its total investment is at least tier 1's minimum, in tier 2 when at least tier 2's
    minimum but below tier 1's, and so on (the "369" counts 3 + 6 + 9 different projects).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    working_group = models.ForeignKey(
        "org.WorkingGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_targets",
        verbose_name=_("working group"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_targets",
        verbose_name=_("department"),
    )
    tier1_min = models.DecimalField(_("tier 1: minimum investment (10k yuan)"), **MONEY)
    tier1_count = models.PositiveIntegerField(_("tier 1: projects"))
    tier2_min = models.DecimalField(_("tier 2: minimum investment (10k yuan)"), **MONEY)
    tier2_count = models.PositiveIntegerField(_("tier 2: projects"))
    tier3_min = models.DecimalField(_("tier 3: minimum investment (10k yuan)"), **MONEY)
    tier3_count = models.PositiveIntegerField(_("tier 3: projects"))
    signed_investment = models.DecimalField(_("signed investment (10k yuan)"), **MONEY)
    funds_in_place = models.DecimalField(_("funds in place (10k yuan)"), **MONEY)
    note = models.TextField(_("note"), blank=True)

    objects = AnnualTargetQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-year", "working_group_id", "department_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_group__isnull=True) | Q(department__isnull=True),
                name="kpis_target_one_scope",
            ),
            models.UniqueConstraint(
                fields=["district", "year"],
                condition=Q(working_group__isnull=True, department__isnull=True),
                name="uniq_kpis_target_district_year",
            ),
            models.UniqueConstraint(
                fields=["working_group", "year"],
                condition=Q(working_group__isnull=False),
                name="uniq_kpis_target_group_year",
            ),
            models.UniqueConstraint(
                fields=["department", "year"],
                condition=Q(department__isnull=False),
                name="uniq_kpis_target_department_year",
            ),
        ]
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")

    def __str__(self) -> str:
        return f"{self.year} {self.scope_name}"

    @property
    def scope(self) -> str:
        if self.working_group_id:
            return TargetScope.WORKING_GROUP
        if self.department_id:
            return TargetScope.DEPARTMENT
        return TargetScope.DISTRICT

    @property
    def scope_label(self) -> str:
        return str(TargetScope(self.scope).label)

    @property
    def scope_name(self) -> str:
        if self.working_group_id:
            return str(self.working_group.name)
        if self.department_id:
            return str(self.department.name)
        return str(self.district)

    @property
    def tiers(self) -> list[tuple[int, Decimal, int]]:
        """(number, minimum investment, target count) from the largest size down."""
        return [
            (n, getattr(self, f"tier{n}_min"), getattr(self, f"tier{n}_count"))
            for n in TIER_NUMBERS
        ]


class KpiSnapshot(models.Model):
    """The KPI figures of one district's cohort as of one cut-off (``kpis.snapshots``): the
    numerators and denominators of ``services.Kpis``, so that the figures of several
    districts add up. Written by the daily scan for every district (the year's cohort as of
    today) and, when missing or stale, by the page or API that needed it; a row is stale
    once a domain event about the district's projects, agreements, cases or registry was
    written after ``event_mark`` (the last event id when it was computed), or when its
    cut-off is not the one asked for."""

    district = models.ForeignKey(
        "org.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("district")
    )
    first_year = models.PositiveSmallIntegerField(_("first signing year"))
    year = models.PositiveSmallIntegerField(_("year"))
    cutoff = models.DateField(_("cut-off"))
    signed_count = models.PositiveIntegerField(default=0)
    signed_investment = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    registered = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    in_production = models.PositiveIntegerField(default=0)
    at_capacity = models.PositiveIntegerField(default=0)
    performing = models.PositiveIntegerField(default=0)
    funds_in_place = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    contracted_investment = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cases_done = models.PositiveIntegerField(default=0)
    cases_on_time = models.PositiveIntegerField(default=0)
    event_mark = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "first_year", "year", "cutoff"],
                name="uniq_kpis_snapshot_district_period",
            )
        ]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")

    def __str__(self) -> str:
        return f"{self.district_id} {self.first_year}–{self.year} @ {self.cutoff}"
