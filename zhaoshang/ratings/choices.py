"""Choices of the enterprise's ratings (好差评)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """What the enterprise rates: each kind is one domain record, rated once."""

    CASE = "case", _("Approval case")
    NEED = "need", _("Need")
    COMPLAINT = "complaint", _("Complaint")
    VISIT = "visit", _("Inspection visit")


class Score(models.TextChoices):
    """满意 / 基本满意 / 不满意: the same values as the complaints' and visits' ratings."""

    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class FollowUp(models.TextChoices):
    """A 不满意 goes to the supervision office, which follows it up."""

    NOT_NEEDED = "", _("Not needed")
    OPEN = "open", _("To follow up")
    DONE = "done", _("Followed up")


# Satisfaction rate (好评率): satisfied and fairly satisfied over every rating.
SATISFIED_SCORES = (Score.SATISFIED, Score.FAIRLY)
