"""Complaints (投诉, SPEC §9, §20): received on behalf of an enterprise, dispatched by the
supervision office (督查室) to the department complained about, which accepts it within 1
working day and answers with the facts within 5 (its account, 情况说明, and its own view);
the supervision office (督查室/效能办) verifies the account within 5 working days and records
the finding (属实/部分属实/不属实), overruling the department's view with a reason when it
differs, and answers the enterprise. The enterprise rates the answer, and 不满意 reopens it
once. Only the office's finding writes to the department's assessment ledger."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.complaints.choices import (
    ACCEPT_WORKDAYS,
    ANSWER_WORKDAYS,
    EXTENSION_MAX_WORKDAYS,
    LIMIT_MAX_WORKDAYS,
    OPEN_STATUSES,
    TIMED_STATUSES,
    Category,
    Channel,
    ComplaintStatus,
    Outcome,
    Rating,
)
from zhaoshang.complaints.querysets import ComplaintQuerySet
from zhaoshang.core import clock
from zhaoshang.core.models import Attachment, DistrictOwned, Timestamped, Versioned


class Complaint(Versioned, Timestamped, DistrictOwned):
    # What its services read beside the row when they lock it (core.services.lock_for_update).
    lock_related = ("department", "enterprise")

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
    reports_unapproved_visit = models.BooleanField(
        default=False,
        verbose_name=_("reports an inspection or fee without approval"),
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
    # What the deadlines were computed from, so that they can be computed again when the
    # year they fall in gets its holiday arrangement (provisional until then).
    accept_workdays = models.PositiveSmallIntegerField(
        _("working days to accept"), null=True, blank=True, editable=False
    )
    answer_workdays = models.PositiveSmallIntegerField(
        _("working days to answer"), null=True, blank=True, editable=False
    )
    answer_from = models.DateField(
        _("answer time counted from"), null=True, blank=True, editable=False
    )
    dates_provisional = models.BooleanField(
        _("deadlines provisional"), default=False, editable=False
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The department's answer: the facts as it states them. Its time limit is answer_by.
    answered_on = models.DateField(_("department answered on"), null=True, blank=True)
    department_view = models.CharField(
        _("department's view"), max_length=20, choices=Outcome.choices, blank=True
    )
    account = models.TextField(_("department's account"), blank=True)
    verify_by = models.DateField(_("verify by"), null=True, blank=True, editable=False)
    # The supervision office's finding; the only one that reaches the ledger.
    outcome = models.CharField(_("finding"), max_length=20, choices=Outcome.choices, blank=True)
    finding_reason = models.TextField(_("reasoning of the finding"), blank=True)
    overruled = models.BooleanField(_("department's view overruled"), default=False)
    overrule_reason = models.TextField(_("reason for overruling"), blank=True)
    found_on = models.DateField(_("finding recorded on"), null=True, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finding recorded by"),
    )
    answer = models.TextField(_("answer to the enterprise"), blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )

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

    @property
    def is_timed(self) -> bool:
        """Someone has a deadline now: the department, or the office verifying."""
        return self.status in TIMED_STATUSES

    @property
    def finding_predates_verification(self) -> bool:
        """A finding the department recorded itself before the supervision office verified
        findings (carried over by migration 0005): it names no one who verified it."""
        return bool(self.outcome and self.found_on and self.found_by_id is None)

    def answered_late(self, as_of: datetime.date | None = None) -> bool:
        """Answered after the answer-by date, or still to answer after it as of ``as_of``
        (today by default); never without an answer-by date (``querysets.answered_late_q``)."""
        if self.answer_by is None:
            return False
        if self.answered_on is not None and self.answered_on > self.answer_by:
            return True
        return self.is_open and self.answer_by < (as_of or clock.today())

    @property
    def extension_or_none(self):
        """The extension request, if any (``select_related("extension")`` saves a query)."""
        try:
            return self.extension
        except ObjectDoesNotExist:
            return None

    def contact_for(self, user) -> dict:
        """The complainant's contact as ``user`` may see it: hidden (empty) from the
        department complained about unless the complainant consented."""
        from zhaoshang.complaints.permissions import can_see_contact

        if can_see_contact(user, self):
            return {"name": self.contact_name, "phone": self.contact_phone}
        return {"name": "", "phone": ""}


def _workdays_validators():
    return [MinValueValidator(1), MaxValueValidator(LIMIT_MAX_WORKDAYS)]


class ComplaintLimit(DistrictOwned):
    """A district's time limits for one complaint category (SPEC §9: "configurable per
    category"): working days to accept and to answer after the dispatch. A category without
    a row uses the general limits (1 and 5 working days)."""

    category = models.CharField(_("complaint category"), max_length=20, choices=Category.choices)
    accept_workdays = models.PositiveSmallIntegerField(
        _("accept within (working days)"),
        default=ACCEPT_WORKDAYS,
        validators=_workdays_validators(),
    )
    answer_workdays = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=ANSWER_WORKDAYS,
        validators=_workdays_validators(),
        help_text=_("Counted from the dispatch."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["district", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "category"], name="uniq_complaint_limit_category"
            ),
            models.CheckConstraint(
                condition=models.Q(accept_workdays__gte=1, accept_workdays__lte=LIMIT_MAX_WORKDAYS)
                & models.Q(answer_workdays__gte=1, answer_workdays__lte=LIMIT_MAX_WORKDAYS),
                name="complaint_limit_range",
            ),
        ]
        verbose_name = _("complaint time limit")
        verbose_name_plural = _("complaint time limits")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.accept_workdays}/{self.answer_workdays}"


class ComplaintExtension(models.Model):
    """A complex case's extension (复杂案件延期): the department complained about asks for
    more time with a reason, once; the supervision office approves it (at most
    15 working days counted from the dispatch) or rejects it with a reason."""

    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.PROTECT,
        related_name="extension",
        verbose_name=_("complaint"),
    )
    reason = models.TextField(_("reason for the extension"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_on = models.DateField(_("requested on"))
    previous_answer_by = models.DateField(_("answer by before the extension"))
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    workdays = models.PositiveSmallIntegerField(
        _("working days granted"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(EXTENSION_MAX_WORKDAYS)],
    )
    new_answer_by = models.DateField(_("new answer-by date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint extension")
        verbose_name_plural = _("complaint extensions")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.reason[:30]}"

    @property
    def is_pending(self) -> bool:
        return self.approved is None


def attachment_upload_to(instance, filename: str) -> str:
    return f"complaints/{instance.complaint.district_id}/{instance.complaint_id}/{filename}"


class ComplaintAttachment(Attachment):
    """A file attached to a complaint: the enterprise's evidence when it is received, or a
    document added later by the supervision office or the department complained about."""

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("complaint"),
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)

    class Meta(Attachment.Meta):
        verbose_name = _("complaint attachment")
        verbose_name_plural = _("complaint attachments")

    def get_absolute_url(self) -> str:
        return reverse("complaints:attachment", args=[self.complaint_id, self.pk])
