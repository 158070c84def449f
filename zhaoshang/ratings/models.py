"""The enterprise's ratings of the services it received (好差评, SPEC §9): each closed
approval case, answered need, answered complaint and inspection visit is rated once by
the enterprise (满意/基本满意/不满意, a reason when not satisfied). A 不满意 goes to the
supervision office for follow-up; the satisfaction rate per department feeds the KPIs,
the quarterly bulletin and the assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned
from zhaoshang.ratings.choices import FollowUp, Score, SubjectKind
from zhaoshang.ratings.querysets import RatingQuerySet


class Rating(DistrictOwned):
    """The enterprise's rating of one record it received (a closed case, an answered need
    or complaint, an inspection visit): 满意/基本满意/不满意, and the supervision office's
    follow-up of a 不满意."""

    subject_kind = models.CharField(_("what was rated"), max_length=12, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("record rated"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("enterprise"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name=_("project"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("department rated"),
    )
    score = models.CharField(_("rating"), max_length=12, choices=Score.choices)
    reason = models.TextField(_("reason"), blank=True)
    rated_on = models.DateField(_("rated on"), db_index=True)
    rated_at = models.DateTimeField(_("rated at"), default=clock.now, editable=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rated by"),
    )
    followup = models.CharField(
        _("follow-up"), max_length=8, choices=FollowUp.choices, blank=True, db_index=True
    )
    followup_note = models.TextField(_("follow-up note"), blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )

    # The supervision office's finding after following a 不满意 up: the enterprise's
    # dissatisfaction was founded (a point of the department's assessment) or not.
    followup_confirmed = models.BooleanField(_("dissatisfaction founded"), null=True, blank=True)

    objects = RatingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-rated_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id"], name="uniq_rating_subject"
            )
        ]
        indexes = [
            models.Index(fields=["district", "department", "rated_on"]),
            models.Index(fields=["enterprise", "rated_on"]),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} {self.subject_id}: {self.get_score_display()}"

    def get_absolute_url(self) -> str:
        return reverse("ratings:detail", args=[self.pk])

    @property
    def is_followup_open(self) -> bool:
        return self.followup == FollowUp.OPEN
