"""Choices of complaints (投诉, SPEC §9)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PORTAL = "portal", _("Enterprise portal")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    HOTLINE = "12345", _("12345 hotline")


class Category(models.TextChoices):
    ARBITRARY_FEES = "fees", _("Arbitrary fees (乱收费)")
    ARBITRARY_LEVIES = "levies", _("Arbitrary levies (乱摊派)")
    ARBITRARY_FINES = "fines", _("Arbitrary fines (乱罚款)")
    ARBITRARY_INSPECTIONS = "inspections", _("Arbitrary inspections (乱检查)")
    ATTITUDE = "attitude", _("Service attitude")
    EFFICIENCY = "efficiency", _("Efficiency")
    POLICY = "policy", _("Policies not honoured")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    # The department has answered with the facts; the supervision office verifies them.
    VERIFYING = "verifying", _("Awaiting verification")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    """The finding on a complaint (属实/部分属实/不属实), recorded by the supervision office;
    the same three words give the department's own view in its account."""

    SUBSTANTIATED = "substantiated", _("Substantiated")
    PARTLY = "partly", _("Partly substantiated")
    UNFOUNDED = "unfounded", _("Not substantiated")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


# The department complained about still has to act (accept, or answer with the facts): the
# time limits of the category (accept by, answer by) are the department's, and only these
# statuses are in the daily scan (a signal against the department) and "answered late".
OPEN_STATUSES = (ComplaintStatus.DISPATCHED, ComplaintStatus.ACCEPTED)
# Someone has a deadline: the department (above) or the supervision office verifying the
# department's account (verify by); the complaint desk lights them all.
TIMED_STATUSES = (*OPEN_STATUSES, ComplaintStatus.VERIFYING)
SUBSTANTIATED_OUTCOMES = (Outcome.SUBSTANTIATED, Outcome.PARTLY)
ACCEPT_WORKDAYS = 1
ANSWER_WORKDAYS = 5
# A category's configured limits (ComplaintLimit) stay within 1..30 working days.
LIMIT_MAX_WORKDAYS = 30
# The supervision office verifies the department's account and records the finding within
# 5 working days of the account (its own limit, not the department's).
VERIFY_WORKDAYS = 5
# A complex case may be extended to at most 15 working days after the dispatch (复杂案件).
EXTENSION_MAX_WORKDAYS = 15
