"""Complaints (投诉, SPEC §9): received on behalf of an enterprise, dispatched by the
supervision office (督查室) to the department complained about, which accepts it within 1
working day and answers within 5; the enterprise rates the answer, and 不满意 reopens it once.
A substantiated complaint writes one entry to the department's assessment ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.complaints.choices import (
    OPEN_STATUSES,
    Category,
    Channel,
    ComplaintStatus,
    Outcome,
    Rating,
)
from zhaoshang.complaints.querysets import ComplaintQuerySet
from zhaoshang.core.models import DistrictOwned


class Complaint(DistrictOwned):
    number = models.CharField(_("number"), max_length=20, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("enterprise"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("project"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("complaint category"), max_length=20, choices=Category.choices)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("department complained about"),
    )
    text = models.TextField(_("complaint"))
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_consent = models.BooleanField(
        _("contact may be shown to the department"),
        default=False,
        help_text=_(
            "The complainant agrees that the department complained about sees the contact."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        db_index=True,
    )
    received_on = models.DateField(_("received on"))
    dispatched_on = models.DateField(_("dispatched on"), null=True, blank=True)
    accept_by = models.DateField(_("accept by"), null=True, blank=True)
    answer_by = models.DateField(_("answer by"), null=True, blank=True)
    due_on = models.DateField(
        _("current deadline"), null=True, blank=True, db_index=True, editable=False
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    outcome = models.CharField(_("finding"), max_length=20, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="uniq_complaint_number")
        ]
        indexes = [models.Index(fields=["department", "status"])]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """The department complained about still has to act."""
        return self.status in OPEN_STATUSES

    def contact_for(self, user) -> dict:
        """The complainant's contact as ``user`` may see it: hidden (empty) from the
        department complained about unless the complainant consented."""
        from zhaoshang.complaints.permissions import can_see_contact

        if can_see_contact(user, self):
            return {"name": self.contact_name, "phone": self.contact_phone}
        return {"name": "", "phone": ""}
