"""Approvals (限时办结, 绿色通道; SPEC §6): the district's catalogue of approval items and the
cases that carry a project through them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.approvals.choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PROMISE_WORKDAYS,
    SPECIAL_PROCEDURE_WORKDAYS,
    CaseStatus,
    ItemLevel,
    LimitUnit,
    Party,
    PauseKind,
    Phase,
)
from zhaoshang.approvals.querysets import ApprovalCaseQuerySet, ApprovalItemQuerySet
from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.core.pinyin import PinyinLabelled


class ApprovalItem(PinyinLabelled, DistrictOwned):
    """An item of the approval catalogue (审批事项目录): handled by one department, with its
    statutory limit (法定时限) and the district's promised limit (承诺时限, ``time_limit``:
    the one due dates count), prerequisites (a directed acyclic graph) and the materials it
    needs.

    An item the district approves itself (``is_district_approval``) is promised within 3
    working days, or 10 under the special procedure (``special_procedure``); a law that
    gives longer stays on record as the statutory limit (SPEC §20)."""

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
        _("promised limit"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The district's promise (承诺时限), counted after complete materials: at most 3 "
            "working days for an item the district approves, 10 under the special procedure."
        ),
    )
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKDAY
    )
    statutory_limit = models.PositiveSmallIntegerField(
        _("statutory limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The limit the law gives (法定时限); the promised limit when left empty."),
    )
    statutory_limit_unit = models.CharField(
        _("statutory limit unit"),
        max_length=12,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKDAY,
        blank=True,
    )
    special_procedure = models.BooleanField(
        _("special procedure"),
        default=False,
        help_text=_(
            "Approved under the special procedure (特殊程序): the promise may be up to 10 "
            "working days instead of 3."
        ),
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
    # The pinyin search keys of its name (core.pinyin), kept in step on save.
    pinyin = models.CharField(max_length=600, blank=True, default="", editable=False)

    objects = ApprovalItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[prerequisites], excluded_fields=["pinyin"])

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_item_code")]
        verbose_name = _("approval item")
        verbose_name_plural = _("approval items")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("approvals:item", args=[self.pk])

    @property
    def is_district_approval(self) -> bool:
        """Approved by the district itself, so bound by its promise of 3 (10) working days:
        decided here (not reported upward) and not a utility connection, whose limit is the
        utility company's service commitment."""
        return self.level == ItemLevel.DISTRICT and self.phase != Phase.UTILITIES

    @property
    def promise_cap(self) -> int:
        return SPECIAL_PROCEDURE_WORKDAYS if self.special_procedure else PROMISE_WORKDAYS

    def clean(self):
        """The promise rule (SPEC §20), every error at once, each on its field. A limit in
        natural days is compared by its number: n natural days never hold more than n
        working days."""
        super().clean()
        errors: dict[str, str] = {}
        if self.is_district_approval and self.time_limit:
            if self.time_limit > SPECIAL_PROCEDURE_WORKDAYS:
                errors["time_limit"] = _(
                    "An item the district approves is promised within %(max)d working days at "
                    "most (%(promise)d, or %(max)d under the special procedure). Record the "
                    "law's longer limit as the statutory limit, or mark the item as reported "
                    "upward."
                ) % {"max": SPECIAL_PROCEDURE_WORKDAYS, "promise": PROMISE_WORKDAYS}
            elif self.time_limit > PROMISE_WORKDAYS and not self.special_procedure:
                errors["time_limit"] = _(
                    "An item the district approves is promised within %(promise)d working "
                    "days; a promise of up to %(max)d needs the special procedure."
                ) % {"max": SPECIAL_PROCEDURE_WORKDAYS, "promise": PROMISE_WORKDAYS}
        if (
            self.is_district_approval
            and self.special_time_limit
            and self.special_time_limit > SPECIAL_PROCEDURE_WORKDAYS
        ):
            errors["special_time_limit"] = _(
                "Special circumstances extend an item the district approves to %(max)d "
                "working days at most."
            ) % {"max": SPECIAL_PROCEDURE_WORKDAYS}
        if (
            "time_limit" not in errors
            and self.statutory_limit
            and self.time_limit
            and self.statutory_limit_unit == self.time_limit_unit
            and self.time_limit > self.statutory_limit
        ):
            errors["time_limit"] = _(
                "The promised limit cannot be longer than the statutory limit (%(n)d)."
            ) % {"n": self.statutory_limit}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.statutory_limit is None:  # the law's limit, when none is given: the promise
            self.statutory_limit, self.statutory_limit_unit = self.time_limit, self.time_limit_unit
        self.statutory_limit_unit = self.statutory_limit_unit or self.time_limit_unit
        super().save(*args, **kwargs)


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


def certificate_upload_to(instance, filename: str) -> str:
    return f"approvals/{instance.project_id}/cases/{instance.pk or 'new'}/{filename}"


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
    # 统一受理: the day the enterprise's application reached the service center's window;
    # the working days from complete materials to registration are the service center's.
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    # The result, recorded when the case is done (办结): the approval's number (批准文号 or
    # the permit's number) and the certificate issued, shown to the enterprise.
    approval_number = models.CharField(_("approval number"), max_length=60, blank=True)
    certificate = models.FileField(
        _("certificate"), upload_to=certificate_upload_to, max_length=255, blank=True
    )
    certificate_name = models.CharField(_("certificate file name"), max_length=200, blank=True)
    # Who answers for a late case (services.attribution), set when it is done late.
    late_party = models.CharField(
        _("lateness belongs to"), max_length=20, choices=Party.choices, blank=True
    )
    late_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department answering for the lateness"),
    )

    objects = ApprovalCaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="uniq_case_per_item")
        ]
        indexes = [
            # A department's open cases counted and put in the worklist's order off this
            # index alone, without reading the cases (issue 19.3).
            models.Index(
                fields=["department", "status", "district", "paused", "due_on"],
                name="approvals_case_department",
            ),
            # The same for a district's open cases (the worklist of district-wide roles).
            models.Index(
                fields=["district", "status", "paused", "due_on"],
                name="approvals_case_district_open",
            ),
            # The API list of a district's cases sorts on the due date from this index
            # alone, without reading the cases (issue 19.3).
            models.Index(fields=["project", "due_on"], name="approvals_case_project_due"),
            # The open cases of a list of projects (a team's home: those it holds) read off
            # this index alone, a project at a time — not every open case of the city walked
            # on the status's index and checked against the list (issue 19.3).
            models.Index(fields=["project", "status"], name="approvals_case_project_status"),
            # A district's cases in due-date order, and their count, read off this index
            # (their queryset scopes a district-wide user on the case's own district).
            models.Index(fields=["district", "due_on", "id"], name="approvals_case_district_due"),
            # The district's worklist read a page at a time in its parts' order
            # (``querysets.WORKLIST_PARTS``), each part's open cases off an index of its
            # own: running and paused by due date (issue 19.3); those not started by id off
            # ``approvals_case_district_due`` (a due date none). The paused are a condition,
            # not a column: "NOT paused" reads no index.
            models.Index(
                fields=["district", "due_on", "id"],
                condition=Q(status__in=OPEN_STATUSES, paused=False, due_on__isnull=False),
                name="approvals_case_running",
            ),
            models.Index(
                fields=["district", "due_on", "id"],
                condition=Q(status__in=OPEN_STATUSES, paused=True, due_on__isnull=False),
                name="approvals_case_paused",
            ),
            # The daily scan's two searches, each off the few rows it may find rather than
            # every case walked (issue 19.4): the pledges not yet fulfilled (容缺, rare),
            # and the running cases whose clock started (not the closed ones, nor those
            # whose materials never came), by status and date. The statuses are a column,
            # not a condition: SQLite matches an index's condition with a bound list (IN)
            # only when it is written out, and the ORM binds it; and with the status first
            # the planner prefers these to the statuses' index without statistics too.
            models.Index(
                fields=["status", "pledge_due_on"],
                condition=Q(pledge_due_on__isnull=False, pledge_fulfilled_on__isnull=True),
                name="approvals_case_pledge_open",
            ),
            models.Index(
                fields=["status", "due_on"],
                condition=Q(paused=False, materials_complete_on__isnull=False),
                name="approvals_case_clock_running",
            ),
        ]
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
        """Done after its due date (a case without a due date cannot be late). Whether the
        department holding it answers for that is ``late_party`` (``querysets.on_time_q``)."""
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
