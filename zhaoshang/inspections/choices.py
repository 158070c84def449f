"""Choices of inspection and fee requests (涉企检查/收费申报, SPEC §9)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    RATING = "rating", _("Rating or appraisal")
    FEE = "fee", _("Fee")


class RequestStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Verdict(models.TextChoices):
    """What the public verification page answers for a code."""

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNKNOWN = "unknown", _("Unknown code")


# Visits (inspections and ratings) enter the enterprise; a fee does not.
VISIT_KINDS = (Kind.INSPECTION, Kind.RATING)
# Requests that still count against the yearly cap.
COUNTING_STATUSES = (RequestStatus.FILED, RequestStatus.APPROVED)
# A code stays valid this many natural days after the visit date (a visit may run late).
CODE_GRACE_DAYS = 3
# The unambiguous Crockford base32 alphabet; input O → 0, I/L → 1.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
