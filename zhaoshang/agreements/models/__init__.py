"""Agreements, obligations and service commitments (履约与服务承诺, SPEC §8).

An investment agreement (投资协议) holds the terms the exit mechanism needs; every term is
an obligation of the enterprise or of a named department, with a measurable target and a
due date, whose status is derived from the project's own records where they say it
(funds in place, monthly reports, stage dates) and confirmed with evidence where they do
not. A department's service commitment (服务承诺) carries a reverse schedule (倒排工期):
milestones planned backwards from the target date in working days. Commitments and their
schedules are filed to the park committee's archive (报园区管委会存档) as immutable
versions.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.agreements.choices import (
    AMOUNT_KINDS,
    FACT_KINDS,
    KIND_PHRASES,
    STAGE_PHRASES,
    ObligationKind,
    Party,
    Term,
    figure,
)
from zhaoshang.agreements.querysets import (
    AgreementQuerySet,
    ArchiveVersionQuerySet,
    BreachQuerySet,
    CommitmentQuerySet,
    MilestoneQuerySet,
    ObligationQuerySet,
)
from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import MONEY, NON_NEGATIVE

POSITIVE_WORKDAYS = [MinValueValidator(1), MaxValueValidator(999)]


class Agreement(Versioned, Timestamped, DistrictOwned):
    """The investment agreement (投资协议) of a signed project: its number, signing date,
    parties and signed text; its terms are the obligations that hang off it."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="agreement",
        verbose_name=_("project"),
    )
    number = models.CharField(_("agreement number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    government_party = models.CharField(_("government party (甲方)"), max_length=100)
    enterprise_party = models.CharField(_("investing party (乙方)"), max_length=120)
    other_parties = models.CharField(_("other parties"), max_length=200, blank=True)
    contracted_investment = models.DecimalField(_("contracted investment (10k yuan)"), **MONEY)
    land_area = models.DecimalField(
        _("land area (mu)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    service_clauses = models.TextField(
        _("service clauses"),
        blank=True,
        help_text=_(
            "What the government side undertakes (服务条款); departments plan them "
            "backwards as service commitments."
        ),
    )
    document = models.ForeignKey(
        "projects.DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed text"),
        help_text=_("The signed agreement in the project's document library."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_agreement_number")
        ]
        verbose_name = _("investment agreement")
        verbose_name_plural = _("investment agreements")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("agreements:project", args=[self.project_id])


def evidence_upload_to(instance, filename: str) -> str:
    return (
        f"agreements/{instance.agreement.project_id}/obligations/{instance.pk or 'new'}/{filename}"
    )


class Obligation(Versioned, Timestamped, DistrictOwned):
    """One term of an agreement: a party (the enterprise or a named department) owes a
    measurable target by a due date. Its status is derived (``with_status``): from the
    project's records for the fact kinds, from the confirmation (``confirmed_on`` with an
    evidence file) for the others."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("agreement"),
    )
    term = models.CharField(_("term"), max_length=20, choices=Term.choices, blank=True)
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("department"),
    )
    kind = models.CharField(_("measure"), max_length=12, choices=ObligationKind.choices)
    title = models.CharField(_("obligation"), max_length=120)
    target_amount = models.DecimalField(
        _("target figure"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=NON_NEGATIVE,
    )  # fmt: skip
    target_stage = models.CharField(_("target stage"), max_length=20, blank=True)
    # The change history (core.history) shows the stage's label, not its code.
    history_choices = {"target_stage": Stage.choices}
    target_text = models.CharField(_("target"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"), db_index=True)
    # Confirmation by hand, for what no record of the project says.
    confirmed_on = models.DateField(_("met on (confirmed)"), null=True, blank=True)
    confirmation_note = models.TextField(_("confirmation note"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to=evidence_upload_to, max_length=255, blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Released by an amendment (补充协议), the reason kept.
    waived_on = models.DateField(_("waived on"), null=True, blank=True)
    waiver_reason = models.TextField(_("reason for the waiver"), blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waived by"),
    )

    objects = ObligationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # One obligation per single-valued term (start, completion …) of an agreement.
            models.UniqueConstraint(
                fields=["agreement", "term"],
                condition=~models.Q(term__in=["", "schedule"]),
                name="uniq_obligation_term",
            ),
            models.CheckConstraint(
                condition=models.Q(party="enterprise", department__isnull=True)
                | models.Q(party="department", department__isnull=False),
                name="obligation_party_department",
            ),
        ]
        indexes = [
            models.Index(fields=["party", "department"]),
            # an agreement's points of a kind by due date: the schedule's last and next
            # point (序时进度, the daily scan's signals) found without sorting
            models.Index(fields=["agreement", "kind", "due_on"], name="obligation_kind_due"),
            # The daily scan's two looks on every run (issue 19.4), each off a few index
            # entries rather than the table read through: whether any obligation is of a
            # kind (the schedule's, ``monitoring.sources``), and whether any has a blank
            # title (``_untitled``: usually none, so the index is all but empty).
            models.Index(fields=["kind"], name="obligation_kind"),
            models.Index(fields=["id"], condition=models.Q(title=""), name="obligation_untitled"),
        ]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:obligation", args=[self.pk])

    @property
    def is_fact_kind(self) -> bool:
        return self.kind in FACT_KINDS

    @property
    def target_display(self) -> str:
        """The measurable target, with its unit."""
        if self.kind == ObligationKind.STAGE:
            return str(Stage(self.target_stage).label) if self.target_stage else ""
        if self.kind in AMOUNT_KINDS and self.target_amount is not None:
            return f"{figure(self.target_amount)} {AMOUNT_KINDS[self.kind]}"
        return self.target_text

    @property
    def description(self) -> str:
        """What is owed, in words: the title of a further obligation, or the term's own
        phrasing (in the reader's language)."""
        if self.title:
            return self.title
        values = {
            "amount": figure(self.target_amount) if self.target_amount is not None else "",
            "date": self.due_on.isoformat() if self.due_on else "",
            "target": self.target_text,
        }
        if self.kind == ObligationKind.STAGE:
            phrase = STAGE_PHRASES.get(self.target_stage)
            if phrase is None:
                return _("Reach the stage “%(stage)s” by %(date)s") % {
                    "stage": self.target_display,
                    "date": values["date"],
                }
            return phrase % values
        phrase = KIND_PHRASES.get(self.kind)
        return phrase % values if phrase else self.target_display

    @property
    def party_name(self) -> str:
        if self.party == Party.DEPARTMENT and self.department_id:
            return str(self.department)
        return str(Party(self.party).label)


class ObligationBreach(DistrictOwned):
    """The recorded fact that an obligation was not met by its due date (违约记录), written
    once by the daily scan. The exit mechanism (SPEC §11) reads the enterprise's; a
    department's also costs it points in the assessment ledger."""

    # No index of its own: the services read breaches by their obligation, and a district is
    # never deleted; every index is written for every breach the daily scan records (150,000
    # at its first run over 100,000 projects). Only the admin's list of a district
    # administrator reads a district's, newest first: ``breach_district_recent`` leads with
    # the district.
    district = models.ForeignKey(
        "org.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    obligation = models.OneToOneField(
        Obligation, on_delete=models.PROTECT, related_name="breach", verbose_name=_("obligation")
    )
    # Neither the project nor the enterprise is indexed: no read finds breaches by them (a
    # project's and an enterprise's are found by their obligations). Only the deletion of a
    # project or an enterprise (PROTECT: the collector's ``project_id IN (…)``, which an
    # administrator or an import undone does) reads them, by reading the breaches once —
    # a rare act, against two index writes for each of the breaches the daily scan records.
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="breaches",
        verbose_name=_("project"),
        db_index=False,
    )
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    # Only a department's deletion reads it (PROTECT), by ``breach_department``, which holds
    # only the breaches with a department: an enterprise's have none.
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breaches",
        verbose_name=_("enterprise"),
        db_index=False,
    )
    due_on = models.DateField(_("due on"))
    occurred_on = models.DateField(_("missed from"))
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(
                fields=["department"],
                condition=models.Q(department__isnull=False),
                name="breach_department",
            ),
            # a district's breaches in the default order (the admin's first page and count)
            models.Index(fields=["district", "occurred_on", "id"], name="breach_district_recent"),
        ]
        verbose_name = _("breach of obligation")
        verbose_name_plural = _("breaches of obligations")

    def __str__(self) -> str:
        return f"{self.obligation} ({self.due_on})"


class ScheduleTemplate(DistrictOwned):
    """A reverse-schedule template (倒排工期模板): the usual steps of a kind of service
    commitment and the working days each takes, set by the district's administrators."""

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="uniq_schedule_template")
        ]
        verbose_name = _("reverse-schedule template")
        verbose_name_plural = _("reverse-schedule templates")

    def __str__(self) -> str:
        return self.name


class TemplateStep(models.Model):
    """A step of a template, in order, with its duration in working days."""

    template = models.ForeignKey(ScheduleTemplate, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=120)
    duration_workdays = models.PositiveSmallIntegerField(
        _("working days"), validators=POSITIVE_WORKDAYS
    )
    owner_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usual owner"),
        help_text=_("Blank: the committing department."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "seq", "id"]
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")

    def __str__(self) -> str:
        return f"{self.seq}. {self.name} ({self.duration_workdays})"


class Commitment(Versioned, Timestamped, DistrictOwned):
    """A department's service commitment (服务承诺) for a project, from the agreement's
    service clauses, with its reverse schedule (the milestones). ``changed_since_filing``
    says whether the plan differs from the last version filed to the park committee."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("project"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("committing department"),
    )
    obligation = models.ForeignKey(
        Obligation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("agreement obligation fulfilled"),
    )
    title = models.CharField(_("commitment"), max_length=120)
    content = models.TextField(_("what is promised"))
    clause = models.CharField(_("agreement clause"), max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_commitments",
        verbose_name=_("person responsible"),
    )
    template = models.ForeignKey(
        ScheduleTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template"),
    )
    start_on = models.DateField(
        _("planning from"),
        help_text=_("The schedule counts working days after this day."),
    )
    target_on = models.DateField(_("target date"), db_index=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    filed_version = models.PositiveIntegerField(_("last filed version"), default=0)
    changed_since_filing = models.BooleanField(_("changed since filing"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["target_on", "id"]
        indexes = [models.Index(fields=["department", "target_on"])]
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:commitment", args=[self.pk])

    @property
    def needs_filing(self) -> bool:
        return self.filed_version == 0 or self.changed_since_filing


class Milestone(Versioned, Timestamped, models.Model):
    """A milestone (节点) of a reverse schedule: due ``duration_workdays`` working days
    after the milestone before it, the last one on the target date; an owner (department
    and person), progress and the day it was done."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("milestone"), max_length=120)
    duration_workdays = models.PositiveSmallIntegerField(
        _("working days"), validators=POSITIVE_WORKDAYS
    )
    planned_start_on = models.DateField(_("planned start"))
    due_on = models.DateField(_("due on"), db_index=True)
    due_is_provisional = models.BooleanField(_("due date provisional"), default=False)
    owner_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="milestones",
        verbose_name=_("owner department"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_milestones",
        verbose_name=_("owner"),
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("progress note"), max_length=200, blank=True)

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["commitment", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "seq"], name="uniq_milestone_seq")
        ]
        indexes = [
            # The open milestones by due date, without walking past the done ones (the
            # team's home: the next milestones of one holding many, ``homes.team``).
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(done_on__isnull=True),
                name="milestone_open_due",
            )
        ]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agreements:commitment", args=[self.commitment_id]) + f"#m{self.pk}"

    @property
    def kept(self) -> bool:
        """Done on or before the due date (``querysets.milestone_kept_q``)."""
        return self.done_on is not None and self.done_on <= self.due_on

    @property
    def done_late(self) -> bool:
        """Done after the due date: late, as a missed one (``querysets.milestone_late_q``)."""
        return self.done_on is not None and self.done_on > self.due_on


class ImmutableRecord(Exception):
    """A filed archive version was asked to change."""


class ArchiveVersion(DistrictOwned):
    """A version of a commitment and its reverse schedule filed to the park committee's
    archive (存档): the plan as it stood, rendered, with the filer and the moment. Never
    changed and never deleted: ``save`` refuses an existing row, ``delete`` refuses always,
    the queryset refuses ``update``; later changes are filed as a new version."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="archive_versions",
        verbose_name=_("commitment"),
    )
    number = models.PositiveIntegerField(_("version"))
    park = models.ForeignKey(
        "org.Park", on_delete=models.PROTECT, related_name="+", verbose_name=_("park")
    )
    committee = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("park committee"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=clock.now)
    note = models.CharField(_("filing note"), max_length=200, blank=True)
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(_("content digest"), max_length=64)

    objects = ArchiveVersionQuerySet.as_manager()

    class Meta:
        ordering = ["commitment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="uniq_archive_version")
        ]
        verbose_name = _("archived version")
        verbose_name_plural = _("archived versions")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.commitment_id} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:version", args=[self.pk])

    @staticmethod
    def digest(content) -> str:
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_intact(self) -> bool:
        """Whether the stored content still has the digest it was filed with."""
        return self.digest(self.content) == self.content_sha256

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(_("A filed version never changes: file a new version."))
        self.content_sha256 = self.digest(self.content)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(_("A filed version is never deleted."))


# A filed plan's change requests, in their own module (imported here so the app registers them).
from zhaoshang.agreements.models.changes import ChangeRequest, MilestoneMove  # noqa: E402

__all__ = [
    "Agreement",
    "ArchiveVersion",
    "ChangeRequest",
    "Commitment",
    "ImmutableRecord",
    "Milestone",
    "MilestoneMove",
    "Obligation",
    "ObligationBreach",
    "ScheduleTemplate",
    "TemplateStep",
]
