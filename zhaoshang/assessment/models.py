"""The departments' assessment ledger (绩效考核, SPEC §12): every department starts a year
with its base score; entries are written by rules (overdue case, missed milestone, …) and
by the supervision office by hand; scores are derived, never typed."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.history import ScanHistoricalRecords
from zhaoshang.core.models import DistrictOwned
from zhaoshang.core.querysets import DistrictScopedQuerySet


class RuleCode(models.TextChoices):
    OVERDUE_CASE = "overdue_case", _("Approval case overdue")
    MISSED_MILESTONE = "missed_milestone", _("Reverse-schedule milestone missed")
    MISSED_OBLIGATION = "missed_obligation", _("Agreement obligation of the department missed")
    OVERDUE_ACTION_ITEM = "overdue_action_item", _("Supervised action item overdue")
    SUBSTANTIATED_COMPLAINT = "substantiated_complaint", _("Complaint substantiated")
    UNAPPROVED_INSPECTION = "unapproved_inspection", _("Inspection or fee without approval")
    DISSATISFIED_RATING = "dissatisfied_rating", _("Enterprise's dissatisfaction founded")


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


def entry_upload_to(instance, filename: str) -> str:
    return f"assessment/{instance.district_id}/{instance.year}/{filename}"


class DepartmentScopedQuerySet(DistrictScopedQuerySet):
    """The supervision office, leaders and admins see every department of their district;
    city users every district; any other government user their own department only."""

    def visible_to(self, user):
        from zhaoshang.assessment import permissions

        qs = super().visible_to(user)
        if not permissions.may_read_ledger(user):
            return self.none()
        if permissions.sees_every_department(user):
            return qs
        return qs.filter(department_id=permissions.own_department_id(user))


class LedgerEntryQuerySet(DepartmentScopedQuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)


# A ledger entry's history is read by entry alone (``id``: the admin's history of it): its
# other indexes would be written for every history row the daily scan writes with its
# entries, and read by nothing.
HISTORY_UNINDEXED = [
    "district",
    "department",
    "year",
    "rule",
    "evidence_type",
    "created_by",
    "corrects",
]


class LedgerEntry(DistrictOwned):
    """One entry of a department's ledger, linked to its evidence (the overdue case …).

    A rule entry is written once per (rule, evidence, department): the unique constraint
    makes a second write a no-op however often a scan runs, while each department
    answering for its own part of the same evidence (a late case's prerequisite
    department, then its holder overrunning its own days) is docked once."""

    # Not indexed alone (nor the year): ``entry_district_year`` leads with it — a district's
    # ledger of a year (the scores, the pages, the API), the district's entries (its
    # deletion's check). Each index is written for every entry the daily scan writes.
    district = models.ForeignKey(
        "org.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("department"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    # Neither the rule nor the evidence's type is indexed: no read looks entries up by them
    # (a rule entry is found by its code, evidence and department,
    # ``uniq_rule_entry_per_evidence_department``). Only the deletion of a rule or of a
    # content type would (PROTECT), by reading the whole ledger once: both are small tables
    # of configuration, in practice never deleted, while each index would be written for
    # every entry the daily scan writes.
    rule = models.ForeignKey(
        AssessmentRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("rule"),
        db_index=False,
    )
    rule_code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices, blank=True)
    reason = models.TextField(_("reason"))
    occurred_on = models.DateField(_("date"))
    evidence_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    evidence_id = models.PositiveBigIntegerField(null=True, blank=True)
    evidence = GenericForeignKey("evidence_type", "evidence_id")
    # Only a person's deletion reads it (PROTECT), by ``entry_created_by``, which holds only
    # the hand entries: the rule entries the daily scan writes (50,000 at its first run over
    # 100,000 projects) have nobody and are not written into it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    # A hand entry's evidence (a scanned notice, minutes …); rule entries link to a record.
    evidence_file = models.FileField(
        _("evidence file"), upload_to=entry_upload_to, max_length=255, blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    # A correction is a new entry pointing at the one it corrects (the ledger is append-only).
    # Indexed by ``entry_corrects``: the corrections alone.
    corrects = models.ForeignKey(
        "self",
        # RESTRICT, not PROTECT: removing a district's whole ledger at once (the demo's
        # reset) takes the corrected entries with their corrections.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects entry"),
        db_index=False,
    )

    objects = LedgerEntryQuerySet.as_manager()
    # The history rows are read by entry (``id``) alone: no other index of theirs (the
    # history's time and person: ``core.history.ScanHistoricalRecords``).
    history = ScanHistoricalRecords(user_index="entry_history_user", no_db_index=HISTORY_UNINDEXED)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "evidence_type", "evidence_id", "department"],
                condition=~models.Q(rule_code=""),
                name="uniq_rule_entry_per_evidence_department",
            )
        ]
        indexes = [
            models.Index(fields=["district", "year"], name="entry_district_year"),
            models.Index(
                fields=["created_by"],
                condition=models.Q(created_by__isnull=False),
                name="entry_created_by",
            ),
            models.Index(
                fields=["corrects"],
                condition=models.Q(corrects__isnull=False),
                name="entry_corrects",
            ),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.department} {self.points}: {self.reason[:40]}"

    def get_absolute_url(self) -> str:
        return (
            reverse("assessment:ledger", args=[self.department_id])
            + f"?year={self.year}#entry-{self.pk}"
        )

    @property
    def is_hand_entry(self) -> bool:
        return not self.rule_code

    def save(self, *args, **kwargs):
        # Append-only: a written entry is never changed; a correction is a new entry.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only.")


class YearStatus(models.TextChoices):
    OPEN = "open", _("Assessment open")
    FINISHED = "finished", _("Assessment finished")


class AssessmentYear(DistrictOwned):
    """A district's assessment year (考核年度): the departments' base score and whether the
    year is finished. A finished year is frozen: no hand entries, no objections, and the
    standings count only the entries written up to the moment it was finished."""

    year = models.PositiveSmallIntegerField(_("year"))
    base_score = models.DecimalField(
        _("base score"), max_digits=6, decimal_places=2, default=Decimal("100")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=YearStatus.choices, default=YearStatus.OPEN
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finished by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="uniq_assessment_year")
        ]
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def is_finished(self) -> bool:
        return self.status == YearStatus.FINISHED


class DepartmentBase(DistrictOwned):
    """A department's own base score for a year, where it differs from the year's default."""

    assessment_year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.CASCADE,
        related_name="department_bases",
        verbose_name=_("assessment year"),
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    base_score = models.DecimalField(_("base score"), max_digits=6, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["department__sort_order", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment_year", "department"], name="uniq_department_base"
            )
        ]
        verbose_name = _("department base score")
        verbose_name_plural = _("department base scores")

    def __str__(self) -> str:
        return f"{self.department} {self.base_score}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    UPHELD = "upheld", _("Upheld: points cancelled")
    REJECTED = "rejected", _("Rejected: points kept")


def objection_upload_to(instance, filename: str) -> str:
    return f"assessment/{instance.district_id}/objections/{filename}"


class ObjectionQuerySet(DepartmentScopedQuerySet):
    def pending(self):
        return self.filter(status=ObjectionStatus.PENDING)


class Objection(DistrictOwned):
    """A department's objection (异议) to one entry of its ledger, answered by the supervision
    office: upheld (a counter-entry cancels the points) or rejected, with a reason. One
    objection per entry."""

    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="objection",
        verbose_name=_("entry"),
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    reason = models.TextField(_("reason"))
    file = models.FileField(_("file"), upload_to=objection_upload_to, max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=clock.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
        db_index=True,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    counter_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancelled_objection",
        verbose_name=_("counter-entry"),
    )

    objects = ObjectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.department}: {self.reason[:40]}"

    def get_absolute_url(self) -> str:
        return (
            reverse("assessment:ledger", args=[self.department_id])
            + f"?year={self.year}#entry-{self.entry_id}"
        )

    @property
    def is_pending(self) -> bool:
        return self.status == ObjectionStatus.PENDING
