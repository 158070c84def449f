"""The departments' assessment ledger (绩效考核, SPEC §12): every department starts a year
with its base score; entries are written by rules (overdue case, missed milestone, …) and
by the supervision office by hand; scores are derived, never typed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core.models import DistrictOwned
from zhaoshang.core.querysets import DistrictScopedQuerySet


class RuleCode(models.TextChoices):
    OVERDUE_CASE = "overdue_case", _("Approval case overdue")
    MISSED_MILESTONE = "missed_milestone", _("Reverse-schedule milestone missed")
    MISSED_OBLIGATION = "missed_obligation", _("Agreement obligation of the department missed")
    OVERDUE_ACTION_ITEM = "overdue_action_item", _("Supervised action item overdue")
    SUBSTANTIATED_COMPLAINT = "substantiated_complaint", _("Complaint substantiated")
    UNAPPROVED_INSPECTION = "unapproved_inspection", _("Inspection or fee without approval")


class AssessmentRule(DistrictOwned):
    """A configurable rule of the ledger: how many points an event of this kind costs."""

    code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="uniq_assessment_rule")
        ]
        verbose_name = _("assessment rule")
        verbose_name_plural = _("assessment rules")

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.points})"


class LedgerEntryQuerySet(DistrictScopedQuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)


class LedgerEntry(DistrictOwned):
    """One entry of a department's ledger, linked to its evidence (the overdue case …).

    A rule entry is written once per (rule, evidence): the unique constraint makes a
    second write a no-op however often a scan runs."""

    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("department"),
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    rule = models.ForeignKey(
        AssessmentRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("rule"),
    )
    rule_code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices, blank=True)
    reason = models.TextField(_("reason"))
    occurred_on = models.DateField(_("date"))
    evidence_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    evidence_id = models.PositiveBigIntegerField(null=True, blank=True)
    evidence = GenericForeignKey("evidence_type", "evidence_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "evidence_type", "evidence_id"],
                condition=~models.Q(rule_code=""),
                name="uniq_rule_entry_per_evidence",
            )
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.department} {self.points}: {self.reason[:40]}"
