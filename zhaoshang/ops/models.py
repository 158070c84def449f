"""The scheduler's record of each run of a periodic job (one row per job and slot)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a scheduled job for one slot (the planned moment it stands for).

    The row is written before the job starts, under a unique (job, slot) constraint: a second
    scheduler that reaches the same slot fails to insert it and leaves the run to the first,
    so a job never runs twice for the same slot."""

    job = models.CharField(_("job"), max_length=64)
    slot = models.DateTimeField(_("planned for"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.CharField(pgettext_lazy("job run", "result"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    host = models.CharField(_("run by"), max_length=120, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="ops_jobrun_once_per_slot")
        ]
        indexes = [models.Index(fields=["job", "-started_at"])]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M:%S} ({self.status})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at
