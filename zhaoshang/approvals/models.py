"""Approvals (限时办结, 绿色通道; SPEC §6): the district's catalogue of approval items and the
cases that carry a project through them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.approvals.choices import (
    CLOSED_STATUSES,
    CaseStatus,
    ItemLevel,
    LimitUnit,
    PauseKind,
    Phase,
)
from zhaoshang.approvals.querysets import ApprovalCaseQuerySet, ApprovalItemQuerySet
from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned


class ApprovalItem(DistrictOwned):
    """An item of the approval catalogue (审批事项目录): handled by one department, with a
    time limit and prerequisites (a directed acyclic graph) and the materials it needs."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="approval_items",
        verbose_name=_("department"),
    )
    level = models.CharField(
        _("level"), max_length=10, choices=ItemLevel.choices, default=ItemLevel.DISTRICT
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    time_limit = models.PositiveSmallIntegerField(
        _("time limit"), default=3, validators=[MinValueValidator(1)]
    )
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKDAY
    )
    special_time_limit = models.PositiveSmallIntegerField(
        _("time limit in special circumstances"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Working days; applies only with a recorded reason and approver."),
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        verbose_name=_("prerequisites"),
    )
    materials = models.ManyToManyField(
        "projects.MaterialType", blank=True, related_name="+", verbose_name=_("required materials")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    in_green_channel = models.BooleanField(
        _("in the green channel"),
        default=True,
        help_text=_("Registered at once for green-channel projects (统一受理)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    objects = ApprovalItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[prerequisites])

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_item_code")]
        verbose_name = _("approval item")
        verbose_name_plural = _("approval items")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("approvals:item", args=[self.pk])


class JointDecision(DistrictOwned):
    """A joint meeting's decision (联席会议) that items which are prerequisites of each other
    are approved at the same time, with one common due date (同时审批、同时办结)."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="joint_decisions",
        verbose_name=_("project"),
    )
    decided_on = models.DateField(_("decided on"))
    document_number = models.CharField(_("document number"), max_length=60)
    note = models.TextField(_("note"), blank=True)
    common_due_on = models.DateField(_("common due date"))
    common_due_is_provisional = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("joint decision")
        verbose_name_plural = _("joint decisions")

    def __str__(self) -> str:
        return f"{self.document_number} ({self.decided_on})"


class ApprovalCase(DistrictOwned, Versioned, Timestamped):
    """One case (办件) per project per item. Its due date is recomputed from (start, limit,
    calendar, pause intervals), never counted down."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="approval_cases",
        verbose_name=_("project"),
    )
    item = models.ForeignKey(
        ApprovalItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("item")
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="approval_cases",
        verbose_name=_("handling department"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CaseStatus.choices,
        default=CaseStatus.PENDING,
        db_index=True,
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent_cases",
        verbose_name=_("agent (代办员)"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handler"),
    )
    registered_on = models.DateField(_("registered on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    materials_complete_on = models.DateField(_("materials complete on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    time_limit = models.PositiveSmallIntegerField(_("time limit"))
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=12, choices=LimitUnit.choices
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    due_is_provisional = models.BooleanField(_("due date provisional"), default=False)
    paused = models.BooleanField(_("paused"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    reported_on = models.DateField(_("reported upward on"), null=True, blank=True)
    reported_to = models.CharField(_("reported to"), max_length=100, blank=True)
    higher_answer = models.TextField(_("answer of the higher authority"), blank=True)
    # Special circumstances (特殊情况): the limit becomes the item's special limit.
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("extension approved by"),
    )
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    # 容缺受理: accepted with minor materials missing, on the enterprise's written pledge.
    pledge_materials = models.TextField(_("materials pledged"), blank=True)
    pledge_due_on = models.DateField(_("pledged by"), null=True, blank=True)
    pledge_fulfilled_on = models.DateField(_("pledge fulfilled on"), null=True, blank=True)
    joint_decision = models.ForeignKey(
        JointDecision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("joint decision"),
    )

    objects = ApprovalCaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="uniq_case_per_item")
        ]
        indexes = [models.Index(fields=["department", "status"])]
        verbose_name = _("approval case")
        verbose_name_plural = _("approval cases")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.item.name}"

    def get_absolute_url(self) -> str:
        return reverse("approvals:case", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def effective_limit(self) -> int:
        return self.item.special_time_limit if self.extended else self.time_limit

    @property
    def done_late(self) -> bool:
        """Done after its due date (``querysets.on_time_q`` in Python: a case without a
        due date cannot be late)."""
        return bool(self.done_on and self.due_on and self.done_on > self.due_on)


class CasePause(models.Model):
    """An interval in which a case's clock stands still: 补正 or a special procedure.

    The working days after ``started_on`` up to and including ``ended_on`` do not count."""

    case = models.ForeignKey(ApprovalCase, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=20, choices=PauseKind.choices)
    reason = models.TextField(_("reason"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or ''}"


class CaseTransfer(models.Model):
    """A transfer between departments (快速转办); the clock keeps running."""

    case = models.ForeignKey(ApprovalCase, on_delete=models.CASCADE, related_name="transfers")
    from_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    transferred_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["transferred_on", "id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.from_department} → {self.to_department}"
