"""Monitoring (SPEC §11, 预警): the rule table of the traffic lights, the escalation
settings, and the signals — every timed thing that is yellow or red today, recomputed by
the daily scan, with how far up the chain (secretary → manager → leader in charge → joint
meeting) it has gone."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core.lights import Light
from zhaoshang.core.models import DistrictOwned
from zhaoshang.monitoring.choices import (
    DEFAULT_ESCALATION,
    DEFAULT_RED_GAP,
    DEFAULT_YELLOW_GAP,
    DEFAULT_YELLOW_WORKDAYS,
    Level,
    Subject,
)
from zhaoshang.monitoring.querysets import SignalQuerySet, signal_rank


class LightRule(DistrictOwned):
    """How a district colours one kind of timed thing. A subject without a row uses the
    defaults (yellow from 1 working day before the deadline; 10/30 points below plan)."""

    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    yellow_workdays = models.PositiveSmallIntegerField(
        _("yellow from (working days before the deadline)"),
        default=DEFAULT_YELLOW_WORKDAYS,
        validators=[MaxValueValidator(20)],
    )
    yellow_gap = models.PositiveSmallIntegerField(
        _("yellow from (points below plan)"),
        default=DEFAULT_YELLOW_GAP,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Only for progress measured against a schedule."),
    )
    red_gap = models.PositiveSmallIntegerField(
        _("red beyond (points below plan)"),
        default=DEFAULT_RED_GAP,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Only for progress measured against a schedule."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["subject"]
        constraints = [
            models.UniqueConstraint(fields=["district", "subject"], name="uniq_light_rule")
        ]
        verbose_name = _("light rule")
        verbose_name_plural = _("light rules")

    def __str__(self) -> str:
        return self.get_subject_display()

    def clean(self):
        gaps = (self.yellow_gap, self.red_gap)
        if None not in gaps and self.red_gap <= self.yellow_gap:
            raise ValidationError({"red_gap": _("Red must start further below plan than yellow.")})


class EscalationRule(DistrictOwned):
    """After how many working days a yellow or red light goes to each step of the chain
    (counted from the day it turned yellow or red). One row per district; without it the
    defaults apply (secretary at once, manager after 2, leader after 5, joint meeting
    after 10)."""

    to_secretary = models.PositiveSmallIntegerField(
        _("to the project secretary after (working days)"),
        default=DEFAULT_ESCALATION[Level.SECRETARY],
    )
    to_manager = models.PositiveSmallIntegerField(
        _("to the project manager after (working days)"),
        default=DEFAULT_ESCALATION[Level.MANAGER],
    )
    to_leader = models.PositiveSmallIntegerField(
        _("to the leader in charge after (working days)"),
        default=DEFAULT_ESCALATION[Level.LEADER],
    )
    to_meeting = models.PositiveSmallIntegerField(
        _("to the joint meeting after (working days)"),
        default=DEFAULT_ESCALATION[Level.MEETING],
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district"], name="uniq_escalation_rule")]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return str(self.district)

    def clean(self):
        steps = [self.to_secretary, self.to_manager, self.to_leader, self.to_meeting]
        if None not in steps and steps != sorted(steps):
            raise ValidationError(
                _("Each step of the chain must come no earlier than the one before it.")
            )

    def after(self) -> dict[int, int]:
        return {
            Level.SECRETARY: self.to_secretary,
            Level.MANAGER: self.to_manager,
            Level.LEADER: self.to_leader,
            Level.MEETING: self.to_meeting,
        }


class Signal(DistrictOwned):
    """A timed thing that is yellow or red today (written by the daily scan; removed when
    it is green again or done)."""

    # Not its own index: the board's (district, rank, due_on, id) leads with it — a
    # district's lights, the escalation's districts (``services.escalate``) and the
    # collector's check before a district is deleted read it; every index is written for
    # every signal the first scan inserts (293,000 at 100,000 projects).
    district = models.ForeignKey(
        "org.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    # Not indexed: no read looks signals up by their type (a signal is found by its subject
    # and object, ``uniq_signal_subject``); only a content type's deletion would, by a scan.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    object_id = models.PositiveBigIntegerField()
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("project"),
        # not its own index: (project, light, due_on) leads with it (each index is written
        # for every signal the first scan inserts)
        db_index=False,
    )
    # Indexed by ``signal_department`` for the signals that have one (a department's
    # deletion finds them, CASCADE): an enterprise's obligations and the investment
    # schedule, half of the signals, have none.
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible department"),
        db_index=False,
    )
    title = models.CharField(_("what"), max_length=200)
    url = models.CharField(max_length=200, blank=True)
    # (Its working days left are not stored: they move every working day while the signal
    # does not. ``SignalQuerySet.with_days_left`` reads them off the due date.)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    gap = models.DecimalField(
        _("points below plan"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    light = models.CharField(
        _("light"),
        max_length=10,
        choices=[(Light.YELLOW, Light.YELLOW.label), (Light.RED, Light.RED.label)],
        # not indexed alone: a colour is read within a project (``signal_project_light_due``)
        # or a district, on the rank (``light_q``, ``signal_board_order``)
    )
    since = models.DateField(_("yellow or red since"))
    level = models.PositiveSmallIntegerField(
        _("escalated to"), choices=Level.choices, default=Level.NONE
    )
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    unassigned = models.BooleanField(
        _("unassigned"),
        default=False,
        help_text=_(
            "The step it was escalated to had nobody (no secretary, manager or leader in "
            "charge): it went to the office of the investment leading group."
        ),
    )
    checked_on = models.DateField(_("checked on"))
    # The board's order, stored and indexed (issue 19): red (0, 1) before yellow (2, 3);
    # within a colour a light with a due date before one without (+1), as the board's
    # "days left, none last" puts them. The database computes it from ``light`` and
    # ``due_on`` on every write — save, bulk_create, update, raw SQL — so it never lags
    # the colour (``rank // 2`` is the colour's order, ``LIGHT_ORDER``).
    rank = models.GeneratedField(
        expression=signal_rank(),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("order on the board"),
    )

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "object_id"], name="uniq_signal_subject")
        ]
        indexes = [
            # a project's lights of a colour in the order of their due dates (the reasons
            # of its light, ``lights_sql.Reasons``: no sort per project)
            models.Index(fields=["project", "light", "due_on"], name="signal_project_light_due"),
            models.Index(
                fields=["department"],
                condition=models.Q(department__isnull=False),
                name="signal_department",
            ),
            # (a district's lights of a colour: on the rank, ``light_q``, off the board's
            # index — no index of the district and the light of its own)
            # the lights board: a district's lights in the board's order, read a page at a
            # time (``SignalQuerySet.worst_first``)
            models.Index(
                fields=["district", "rank", "due_on", "id"],
                name="signal_board_order",
            ),
        ]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")

    def __str__(self) -> str:
        return f"{self.get_subject_display()} · {self.title}"


class LightSnapshot(DistrictOwned):
    """A project's light as the daily scan saw it on a day (SPEC §11; issue 16 point 7: the
    past stays as it was). The scan writes a row when a project's light or its reasons
    changed since its last row, and on a month's last day a row for every active project,
    so a closed month's summary reads the lights of its last day, not today's. A project's
    light on a day is that of its latest row on or before it (``lights.project_light_on``);
    a project without one was green (never lit)."""

    # Neither indexed alone: the district's (district, on) and the project's (project, on),
    # the unique constraint, lead with them (each index is written for every light the daily
    # scan records: 96,000 at its first run over 100,000 projects).
    district = models.ForeignKey(
        "org.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="light_snapshots",
        verbose_name=_("project"),
        db_index=False,
    )
    on = models.DateField(_("date"))
    light = models.CharField(
        _("light"),
        max_length=10,
        choices=[(x.value, x.label) for x in (Light.GREEN, Light.YELLOW, Light.RED)],
    )
    reasons = models.JSONField(_("why"), default=list, blank=True)

    class Meta:
        ordering = ["project_id", "on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "on"], name="uniq_light_snapshot_day")
        ]
        indexes = [models.Index(fields=["district", "on"])]
        verbose_name = _("light snapshot")
        verbose_name_plural = _("light snapshots")

    def __str__(self) -> str:
        return f"{self.project_id} {self.on:%Y-%m-%d} {self.light}"
