"""Change requests of a filed commitment (变更申请): a filed plan's milestones move only by a
request the park committee or the supervision office approves (then filed as a new archive
version) or refuses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.agreements.choices import ChangeStatus
from zhaoshang.agreements.models import ArchiveVersion, Commitment, Milestone
from zhaoshang.agreements.querysets import ChangeRequestQuerySet
from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned


class ChangeRequest(Versioned, Timestamped, DistrictOwned):
    """A request to move milestones of a commitment filed with the park committee (变更申请):
    who asks, which milestones from which date to which, the target date if it moves, and
    why. A filed plan changes only this way: the park committee of the project's park or
    the supervision office (督查室) approves it — it is then applied and filed as a new
    archive version (``archive_version``) — or refuses it with the reason."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("commitment"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    reason = models.TextField(_("reason for the change"))
    old_target_on = models.DateField(_("target date as filed"))
    new_target_on = models.DateField(_("new target date"), null=True, blank=True)
    filed_version = models.PositiveIntegerField(_("filed version it changes"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)
    archive_version = models.ForeignKey(
        ArchiveVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version filed"),
    )

    objects = ChangeRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per commitment: the next one asks from the plan it leaves.
            models.UniqueConstraint(
                fields=["commitment"],
                condition=models.Q(status="pending"),
                name="uniq_pending_change_request",
            )
        ]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"{self.commitment} · {self.requested_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:change", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING


class MilestoneMove(models.Model):
    """One milestone a change request moves: its due date as filed and the new one."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="moves")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="+", verbose_name=_("milestone")
    )
    old_due_on = models.DateField(_("due date as filed"))
    new_due_on = models.DateField(_("new due date"))

    class Meta:
        ordering = ["request", "milestone__seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "milestone"], name="uniq_milestone_move")
        ]
        verbose_name = _("milestone moved")
        verbose_name_plural = _("milestones moved")

    def __str__(self) -> str:
        return f"{self.milestone}: {self.old_due_on} → {self.new_due_on}"
