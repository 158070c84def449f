"""Meetings and supervised action items (联席会议与督办, SPEC §10).

A meeting (the five kinds of the work plan) has its agenda — projects, problems from the
problem list, approval cases or a free topic — its minutes and its decisions. Decisions,
and leaders' instructions (批示, SPEC §7), create action items (督办事项) that the owner
department carries to completion and the supervision office (督查室) closes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.meetings.choices import (
    OPEN_ACTION_STATUSES,
    UNCLOSED_ACTION_STATUSES,
    ActionSource,
    ActionStatus,
    MeetingKind,
    MeetingStatus,
    ProgressKind,
)
from zhaoshang.meetings.querysets import ActionItemQuerySet, MeetingQuerySet, action_item_bucket


def minutes_upload_to(instance, filename: str) -> str:
    return f"meetings/{instance.district_id}/{instance.number}/{filename}"


def evidence_upload_to(instance, filename: str) -> str:
    return f"action-items/{instance.action_item_id}/{filename}"


class Meeting(DistrictOwned, Versioned, Timestamped):
    """A meeting that coordinates project service (联席会议制): leading group, joint,
    coordination, on-site office or special-topic meeting."""

    number = models.CharField(_("number"), max_length=20, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("date"), db_index=True)
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        verbose_name=_("chair"),
    )
    departments = models.ManyToManyField(
        "org.Department",
        blank=True,
        related_name="meetings",
        verbose_name=_("departments attending"),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="attended_meetings",
        verbose_name=_("people attending"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
        db_index=True,
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_number = models.CharField(_("minutes number"), max_length=60, blank=True)
    minutes_file = models.FileField(
        _("minutes file"), upload_to=minutes_upload_to, max_length=255, blank=True
    )
    minutes_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    minutes_issued_on = models.DateField(_("minutes issued on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scheduled by"),
    )

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[departments, attendees], excluded_fields=["updated_at", "version"]
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_meeting_number")
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        """The minutes are issued: the record of the meeting is closed."""
        return self.status == MeetingStatus.MINUTES_ISSUED


class AgendaItem(models.Model):
    """One point on a meeting's agenda: a project, a problem of the problem list (问题清单),
    an approval case, or a free topic."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("project"),
    )
    need = models.ForeignKey(
        "service.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("problem"),
    )
    case = models.ForeignKey(
        "approvals.ApprovalCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("approval case"),
    )
    note = models.TextField(_("note"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False)
                | Q(need__isnull=False)
                | Q(case__isnull=False)
                | ~Q(topic=""),
                name="agenda_item_has_a_subject",
            )
        ]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.subject

    @property
    def subject(self) -> str:
        """What the point is about, in one line."""
        if self.need_id:
            return str(self.need)
        if self.case_id:
            return str(self.case)
        if self.topic:
            return self.topic
        return str(self.project)


class Decision(models.Model):
    """A decision of a meeting (议定事项), on one agenda item or the meeting as a whole.
    It creates action items; it can be the joint decision (联席会议决定) that approves
    mutually prerequisite approval items at the same time (同时审批、同时办结)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    # RESTRICT, not PROTECT: an agenda item decided on stays, but goes with its meeting.
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))
    joint_decision = models.OneToOneField(
        "approvals.JointDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name=_("joint decision"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="uniq_decision_number")
        ]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.meeting.number}-{self.number}"

    @property
    def district_id(self):
        return self.meeting.district_id


class ActionItem(DistrictOwned, Versioned, Timestamped):
    """A supervised action item (督办事项): who does what by when, followed by the
    supervision office until it is closed. Its due date is a stored date (given, or N
    working days after the start); the days left are computed in SQL."""

    # What its services read beside the row when they lock it (core.services.lock_for_update).
    lock_related = ("owner_department", "owner_person", "project", "decision__meeting")

    number = models.CharField(_("number"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("requirements"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=ActionSource.choices)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("project"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("meeting decision"),
    )
    instruction = models.ForeignKey(
        "service.Instruction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("leader's instruction"),
    )
    need = models.ForeignKey(
        "service.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("problem"),
    )
    owner_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("owner department"),
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_action_items",
        verbose_name=_("person in charge"),
    )
    start_on = models.DateField(_("start date"))
    due_workdays = models.PositiveSmallIntegerField(
        _("time limit in working days"),
        null=True,
        blank=True,
        help_text=_("When the due date was given as N working days after the start."),
    )
    due_on = models.DateField(_("due on"), db_index=True)
    due_is_provisional = models.BooleanField(_("due date provisional"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActionStatus.choices,
        default=ActionStatus.NOT_STARTED,
        db_index=True,
    )
    completed_on = models.DateField(_("reported done on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    escalated_on = models.DateField(
        _("overdue notice sent on"),
        null=True,
        blank=True,
        help_text=_("The day the overdue item was escalated to the supervision office."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    # The supervision board's order, stored and indexed (issue 19): open items (0), then
    # those awaiting confirmation (1), then the closed ones (2) — computed by the database
    # from ``status`` on every write (``querysets.action_item_bucket``).
    bucket = models.GeneratedField(
        expression=action_item_bucket(),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("order on the board"),
    )

    objects = ActionItemQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version", "bucket"])

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_action_item_number")
        ]
        indexes = [
            models.Index(fields=["owner_department", "status"]),
            # the supervision board: a district's items in the board's order, a page at a
            # time (``views.board.filtered_items``)
            models.Index(fields=["district", "bucket", "due_on", "id"], name="action_board_order"),
            # … and sorted by due date (or days left) alone, either way
            models.Index(fields=["district", "due_on", "id"], name="action_board_due"),
            # … and its counts, overall and per owner department, read from this index alone
            models.Index(
                fields=["district", "owner_department", "status", "due_on"],
                name="action_board_counts",
            ),
        ]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:action_item", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """The owner still has to act on it."""
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status not in UNCLOSED_ACTION_STATUSES

    @property
    def done_late(self) -> bool:
        """Reported done after the due date (``querysets.action_item_done_late_q``)."""
        return self.completed_on is not None and self.completed_on > self.due_on


class ActionProgress(models.Model):
    """A line of an action item's record: a progress note by the owner, the completion
    with its evidence, a return (退回重办) or the closure by the supervision office."""

    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="progress", verbose_name=_("action item")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ProgressKind.choices, default=ProgressKind.NOTE
    )
    recorded_on = models.DateField(_("date"))
    text = models.TextField(_("text"))
    file = models.FileField(_("evidence"), upload_to=evidence_upload_to, max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_on", "id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recorded_on}"
