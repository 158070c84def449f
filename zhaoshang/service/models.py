"""Project service (SPEC §7, 回执单制度): the receipts the project team files after each visit
to a department, the instructions (批示) the leader in charge writes on them, the problem
list (问题清单) and the second-round service records (二次招商服务)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import Attachment, DistrictOwned, Timestamped, Versioned
from zhaoshang.core.pinyin import PinyinLabelled
from zhaoshang.service.choices import (
    OPEN_NEED_STATUSES,
    NeedCategory,
    NeedStatus,
    RaisedVia,
    ReceiptResult,
    SecondRoundKind,
)
from zhaoshang.service.querysets import (
    ForwardQuerySet,
    InstructionQuerySet,
    NeedQuerySet,
    ReceiptQuerySet,
    SecondRoundQuerySet,
)


class Receipt(DistrictOwned, Versioned):
    """手续办理回执单: one visit of the project team to a department — what was asked, what
    was done, how it ended — addressed to the project's county-level leader in charge
    (分管县级领导). Append-only once filed; the filer may correct it, with history."""

    number = models.CharField(_("number"), max_length=20, editable=False)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("project"),
    )
    visited_on = models.DateField(_("date of visit"), db_index=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("department visited"),
    )
    handler_name = models.CharField(_("handler"), max_length=40)
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler account"),
    )
    matter = models.CharField(_("matter"), max_length=200)
    approval_case = models.ForeignKey(
        "approvals.ApprovalCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name=_("approval case"),
    )
    work_done = models.TextField(_("what was done"))
    result = models.CharField(
        _("result"), max_length=20, choices=ReceiptResult.choices, db_index=True
    )
    problems = models.TextField(_("problems needing coordination"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="filed_receipts",
        verbose_name=_("filled in by"),
    )
    filed_at = models.DateTimeField(_("filed at"))
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbox_receipts",
        verbose_name=_("leader in charge"),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)

    objects = ReceiptQuerySet.as_manager()
    # Reading is not an edit: it is the domain event receipt.read, not a history version.
    history = HistoricalRecords(excluded_fields=["version", "read_at"])

    class Meta:
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_receipt_number")
        ]
        indexes = [models.Index(fields=["addressee", "read_at"])]
        verbose_name = _("service receipt")
        verbose_name_plural = _("service receipts")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("service:receipt", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Instruction(DistrictOwned):
    """批示: what the leader in charge decides on a receipt; it creates one or more
    supervised action items (督办事项, meetings app) pointing back to it."""

    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("receipt"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="instructions",
        verbose_name=_("project"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="instructions",
        verbose_name=_("leader"),
    )
    text = models.TextField(_("instruction"))
    written_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    objects = InstructionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_on", "-id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")

    def __str__(self) -> str:
        return f"{self.leader} {self.written_on}"

    def get_absolute_url(self) -> str:
        if self.receipt_id:
            return reverse("service:receipt", args=[self.receipt_id]) + f"#instruction-{self.pk}"
        return reverse("service:project", args=[self.project_id]) + f"#instruction-{self.pk}"


class Need(PinyinLabelled, DistrictOwned, Versioned, Timestamped):
    """An entry of the problem list (问题清单): a difficulty of the project, assigned to a
    department with a time limit in working days; escalated to a joint meeting (联席会议)
    when the department cannot solve it."""

    number = models.CharField(_("number"), max_length=20, editable=False)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("project"),
    )
    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("from receipt"),
    )
    raised_via = models.CharField(
        _("raised via"), max_length=20, choices=RaisedVia.choices, default=RaisedVia.TEAM
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="raised_needs",
        verbose_name=_("raised by"),
    )
    raised_on = models.DateField(_("raised on"))
    category = models.CharField(_("category"), max_length=20, choices=NeedCategory.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("assigned department"),
    )
    due_workdays = models.PositiveSmallIntegerField(
        _("time limit (working days)"), validators=[MinValueValidator(1)]
    )
    due_on = models.DateField(_("due on"), db_index=True)
    due_is_provisional = models.BooleanField(_("due date provisional"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NeedStatus.choices,
        default=NeedStatus.PENDING,
        db_index=True,
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    escalated_on = models.DateField(_("submitted to a meeting on"), null=True, blank=True)
    escalation_note = models.TextField(_("reason for the meeting"), blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The pinyin search keys of its label (core.pinyin), kept in step on save.
    pinyin = models.CharField(max_length=800, blank=True, default="", editable=False)

    PINYIN_FROM = ("number", "title")

    objects = NeedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version", "pinyin"])

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_need_number")
        ]
        indexes = [models.Index(fields=["department", "status"])]
        verbose_name = _("need")
        verbose_name_plural = _("problem list")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("service:need", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NEED_STATUSES

    @property
    def is_escalated(self) -> bool:
        return self.escalated_on is not None


def need_attachment_upload_to(instance, filename: str) -> str:
    return f"needs/{instance.need.district_id}/{instance.need_id}/{filename}"


class NeedAttachment(Attachment):
    """A file the enterprise sends with the need it raises in the service hall (a drawing,
    a notice, a photo of the site)."""

    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("need"),
    )
    file = models.FileField(_("file"), upload_to=need_attachment_upload_to, max_length=255)

    class Meta(Attachment.Meta):
        verbose_name = _("need attachment")
        verbose_name_plural = _("need attachments")


class SecondRoundService(DistrictOwned):
    """二次招商服务: a partner introduced up or down the chain (以企招商), a project matched with
    funds (项目与资金嫁接), or a low-efficiency enterprise helped to upgrade (提档升级)."""

    kind = models.CharField(_("kind"), max_length=20, choices=SecondRoundKind.choices)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_round_services",
        verbose_name=_("project"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_round_services",
        verbose_name=_("enterprise"),
    )
    occurred_on = models.DateField(_("date"))
    counterparty = models.CharField(_("counterparty"), max_length=120)
    amount = models.DecimalField(
        _("amount (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.TextField(_("description"))
    outcome = models.TextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)

    objects = SecondRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(enterprise__isnull=False),
                name="second_round_has_subject",
            )
        ]
        verbose_name = _("second-round service")
        verbose_name_plural = _("second-round services")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.counterparty}"


class Forward(DistrictOwned):
    """报送主要领导: a receipt or a problem the leader in charge forwards, with a note, to one
    of the district's principal leaders (区委、区政府主要领导, SPEC §7, §20) — "必要时及时向
    区委、区政府主要领导汇报". One row per principal leader, each with its own read state:
    the row is the principal leader's inbox entry (``service:forwarded``)."""

    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwards",
        verbose_name=_("receipt"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwards",
        verbose_name=_("problem"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="forwards",
        verbose_name=_("project"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forwards_sent",
        verbose_name=_("forwarded by"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forwards_received",
        verbose_name=_("principal leader"),
    )
    note = models.TextField(_("note"))
    sent_at = models.DateTimeField(_("forwarded at"), default=clock.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ForwardQuerySet.as_manager()
    # Reading is not an edit: it is the domain event forward.read, not a history version.
    history = HistoricalRecords(excluded_fields=["read_at"])

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(receipt__isnull=False, need__isnull=True)
                | models.Q(receipt__isnull=True, need__isnull=False),
                name="forward_has_one_subject",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("forwarded item")
        verbose_name_plural = _("forwarded items")

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def subject(self):
        return self.receipt if self.receipt_id else self.need

    @property
    def subject_url(self) -> str:
        if self.receipt_id:
            return reverse("service:receipt", args=[self.receipt_id])
        return reverse("service:need", args=[self.need_id])

    def get_absolute_url(self) -> str:
        return reverse("service:forward", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
