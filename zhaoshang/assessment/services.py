"""Writing to the assessment ledger. Every domain app calls ``write_rule_entry`` for its
rule events (overdue case, missed milestone, …); it writes each entry exactly once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from zhaoshang.assessment.models import AssessmentRule, LedgerEntry, RuleCode

DEFAULT_POINTS = {
    RuleCode.OVERDUE_CASE: Decimal("-1"),
    RuleCode.MISSED_MILESTONE: Decimal("-1"),
    RuleCode.MISSED_OBLIGATION: Decimal("-2"),
    RuleCode.OVERDUE_ACTION_ITEM: Decimal("-1"),
    RuleCode.SUBSTANTIATED_COMPLAINT: Decimal("-2"),
    RuleCode.UNAPPROVED_INSPECTION: Decimal("-3"),
}


def rule_for(district_id: int, code: str) -> AssessmentRule:
    rule, _created = AssessmentRule.objects.get_or_create(
        district_id=district_id, code=code, defaults={"points": DEFAULT_POINTS[code]}
    )
    return rule


def write_rule_entry(
    code: str, department, evidence, reason: str, occurred_on: datetime.date
) -> LedgerEntry | None:
    """Write the rule's entry for this evidence unless it exists; returns it when written."""
    rule = rule_for(department.district_id, code)
    if not rule.is_active:
        return None
    ct = ContentType.objects.get_for_model(evidence.__class__)
    if LedgerEntry.objects.filter(
        rule_code=code, evidence_type=ct, evidence_id=evidence.pk
    ).exists():
        return None
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                district_id=department.district_id,
                department=department,
                year=occurred_on.year,
                points=rule.points,
                rule=rule,
                rule_code=code,
                reason=reason,
                occurred_on=occurred_on,
                evidence_type=ct,
                evidence_id=evidence.pk,
            )
    except IntegrityError:  # written concurrently by another scan
        return None
