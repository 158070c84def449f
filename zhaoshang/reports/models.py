"""Issued reports (印发的汇总、通报、考核) and the jobs that produce large reports.

An issued report is frozen: its figures (a JSON snapshot) and its three files (xlsx, docx,
pdf) are written once and never changed; issuing the same report again makes a new version,
and the old ones stay downloadable."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned
from zhaoshang.reports.choices import JobAction, JobStatus, Kind, Period
from zhaoshang.reports.querysets import ReportQuerySet

FORMATS = ("xlsx", "docx", "pdf")


def report_upload_to(instance, filename: str) -> str:
    return f"reports/{instance.district_id}/{instance.kind}/{instance.period}/{filename}"


class IssuedReport(DistrictOwned):
    """One issued version of a report: the figures as issued and the files as filed."""

    kind = models.CharField(_("report"), max_length=12, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=8)
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("document number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    figures = models.JSONField(_("figures as issued"))
    project_count = models.PositiveIntegerField(_("projects"), default=0)
    xlsx = models.FileField(_("Excel file"), upload_to=report_upload_to, max_length=255)
    docx = models.FileField(_("Word file"), upload_to=report_upload_to, max_length=255)
    pdf = models.FileField(_("PDF file"), upload_to=report_upload_to, max_length=255)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind", "period", "version"], name="uniq_issued_report"
            )
        ]
        verbose_name = _("issued report")
        verbose_name_plural = _("issued reports")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An issued report is frozen.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An issued report is frozen.")

    def get_absolute_url(self) -> str:
        return reverse("reports:issued", args=[self.pk])

    @property
    def period_obj(self) -> Period:
        return Period(self.kind, self.period)

    def download_url(self, fmt: str) -> str:
        return reverse("reports:download", args=[self.pk, fmt])

    def download_name(self, fmt: str) -> str:
        """The Chinese file name a district office files it under."""
        return f"{self.title}（{self.number}）v{self.version}.{fmt}"

    def download_fallback(self, fmt: str) -> str:
        """The ASCII name for the clients that cannot read the Chinese one."""
        return f"{self.kind}-{self.period}-v{self.version}.{fmt}"


class ReportJob(DistrictOwned):
    """A large report generated in the background (Django tasks), with its progress."""

    kind = models.CharField(_("report"), max_length=12, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=8)
    action = models.CharField(
        _("action"), max_length=10, choices=JobAction.choices, default=JobAction.PREVIEW
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    figures = models.JSONField(_("figures"), null=True, blank=True)
    issued = models.ForeignKey(
        IssuedReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued report"),
    )
    error = models.TextField(_("error"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
