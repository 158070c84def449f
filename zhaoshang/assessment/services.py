"""Writing to the assessment ledger. Every domain app calls ``write_rule_entry`` for its
rule events (overdue case, missed milestone, …); it writes each entry exactly once.

A breach belongs to the assessment year in which its due date fell (a case due on 31
December and caught in January is the old year's), and its entry is dated the day the breach
occurred, never later than the day it is written (``entry_dates``).

Nobody is docked for a period before the platform was in use: a breach whose duty fell due
(its due date, else the day it occurred) before its district's go-live date
(``District.go_live_on``, 上线日期) writes no entry (``before_go_live``) — a ledger brought
in from the district's spreadsheets (补录) tells its history, not the platform's."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from simple_history.utils import bulk_create_with_history

from zhaoshang.assessment.models import AssessmentRule, LedgerEntry, RuleCode
from zhaoshang.core import clock

if TYPE_CHECKING:
    from zhaoshang.org.models import Department

DEFAULT_POINTS = {
    RuleCode.OVERDUE_CASE: Decimal("-1"),
    RuleCode.MISSED_MILESTONE: Decimal("-1"),
    RuleCode.MISSED_OBLIGATION: Decimal("-2"),
    RuleCode.OVERDUE_ACTION_ITEM: Decimal("-1"),
    RuleCode.SUBSTANTIATED_COMPLAINT: Decimal("-2"),
    RuleCode.UNAPPROVED_INSPECTION: Decimal("-3"),
    # 好差评: a 不满意 the supervision office found founded after following it up.
    RuleCode.DISSATISFIED_RATING: Decimal("-1"),
}


def rule_for(district_id: int, code: str) -> AssessmentRule:
    rule, _created = AssessmentRule.objects.get_or_create(
        district_id=district_id, code=code, defaults={"points": DEFAULT_POINTS[code]}
    )
    return rule


def entry_dates(
    occurred_on: datetime.date, due_on: datetime.date | None = None
) -> tuple[int, datetime.date]:
    """(assessment year, entry date) of a breach: the year its due date fell in (of the
    breach itself when it has no due date, e.g. a substantiated complaint), and the day it
    occurred, not after today (a scan on a Saturday does not date an entry on Monday)."""
    occurred_on = min(occurred_on, clock.today())
    return (due_on or occurred_on).year, occurred_on


def go_live_dates(district_ids: Iterable[int]) -> dict[int, datetime.date | None]:
    """The go-live date of each district (one query)."""
    from zhaoshang.org.models import District

    return dict(District.objects.filter(pk__in=set(district_ids)).values_list("pk", "go_live_on"))


def before_go_live(
    go_live_on: datetime.date | None, occurred_on: datetime.date, due_on: datetime.date | None
) -> bool:
    """Whether the breached duty fell due before the district went live on the platform."""
    return go_live_on is not None and (due_on or occurred_on) < go_live_on


def _go_live_of(department) -> datetime.date | None:
    """The go-live date of the department's district (read with the district when the
    department holds it, else one query)."""
    field = type(department)._meta.get_field("district")
    if field.is_cached(department):
        return department.district.go_live_on
    return go_live_dates([department.district_id]).get(department.district_id)


def write_rule_entry(
    code: str,
    department,
    evidence,
    reason: str,
    occurred_on: datetime.date,
    *,
    due_on: datetime.date | None = None,
    per_department: bool = False,
) -> LedgerEntry | None:
    """Write the rule's entry for this evidence unless it exists; returns it when written
    (``due_on``: the date the breached duty was due, which decides the year). The ledger
    holds one entry per (rule, evidence, department): with ``per_department`` another
    department answering for its own part of the same evidence (a late case's
    prerequisite department, then its holder) gets its own entry; without it, any entry
    for the evidence counts as recorded (evidence with one answerable department). A duty
    due before the district's go-live date writes none (``before_go_live``)."""
    if before_go_live(_go_live_of(department), occurred_on, due_on):
        return None
    year, occurred_on = entry_dates(occurred_on, due_on)
    rule = rule_for(department.district_id, code)
    if not rule.is_active:
        return None
    ct = ContentType.objects.get_for_model(evidence.__class__)
    recorded = LedgerEntry.objects.filter(rule_code=code, evidence_type=ct, evidence_id=evidence.pk)
    if per_department:
        recorded = recorded.filter(department=department)
    if recorded.exists():
        return None
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                district_id=department.district_id,
                department=department,
                year=year,
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


@dataclass(frozen=True)
class RuleHit:
    """One piece of evidence that breaks a rule, for ``write_rule_entries``."""

    department: Department
    evidence: models.Model
    reason: str
    occurred_on: datetime.date
    due_on: datetime.date | None = None


def write_rule_entries(
    code: str, hits: Iterable[RuleHit], *, per_department: bool = False
) -> list[RuleHit]:
    """``write_rule_entry`` for many pieces of evidence at once (the daily scan's): the
    entries and their history rows in a few bulk inserts. The caller passes evidence that
    has no entry for this rule yet (its query excludes the recorded ones; with
    ``per_department``, none for this department); should another
    scan have written some meanwhile, the unique constraint refuses the batch and the
    entries are written one by one, skipping those. Returns the hits written (none for a
    duty due before its district's go-live date: one query for the districts' dates)."""
    hits = list(hits)
    if not hits:
        return []
    go_live = go_live_dates(h.department.district_id for h in hits)
    hits = [
        h
        for h in hits
        if not before_go_live(go_live.get(h.department.district_id), h.occurred_on, h.due_on)
    ]
    if not hits:
        return []
    rules = {d: rule_for(d, code) for d in {h.department.district_id for h in hits}}
    hits = [h for h in hits if rules[h.department.district_id].is_active]
    entries = []
    for h in hits:
        year, occurred_on = entry_dates(h.occurred_on, h.due_on)
        entries.append(
            LedgerEntry(
                district_id=h.department.district_id,
                department=h.department,
                year=year,
                points=rules[h.department.district_id].points,
                rule=rules[h.department.district_id],
                rule_code=code,
                reason=h.reason,
                occurred_on=occurred_on,
                evidence_type=ContentType.objects.get_for_model(h.evidence.__class__),
                evidence_id=h.evidence.pk,
            )
        )
    try:
        with transaction.atomic():
            bulk_create_with_history(entries, LedgerEntry, batch_size=1000)
    except IntegrityError:  # another scan wrote some of them meanwhile
        return [
            h
            for h in hits
            if write_rule_entry(
                code,
                h.department,
                h.evidence,
                h.reason,
                h.occurred_on,
                due_on=h.due_on,
                per_department=per_department,
            )
        ]
    return hits


def insert_rule_entries(code: str, evidence_model, hits) -> int:
    """``write_rule_entries`` computed by the database (the daily scan's big sets): one
    ``INSERT … SELECT`` writes the entries, one more their history rows; nothing is read
    into Python. ``hits`` is a queryset annotated with ``hit_district`` (the department's
    district), ``hit_department``, ``hit_evidence`` (the id of a ``evidence_model`` row),
    ``hit_reason``, ``hit_occurred_on`` and ``hit_due_on`` (None: the breach has no due
    date). The rules are those of ``write_rule_entry``: none before the district's go-live
    date, none while the district's rule is off, the year of the due date, the entry dated
    the day of the breach and not after today, one per evidence and department (an entry
    already there is left alone). Returns the number of entries written."""
    from django.db.models import Exists, F, IntegerField, OuterRef, Q, Value
    from django.db.models.functions import Coalesce, Least
    from django.db.models.lookups import GreaterThan

    from zhaoshang.core.parts import LiteralExact
    from zhaoshang.core.querysets import by_district
    from zhaoshang.core.setwise import YearOf, analyze_after, insert_history, insert_select
    from zhaoshang.org.models import District

    districts = set(hits.order_by().values_list("hit_district", flat=True).distinct())
    if not districts:
        return 0
    for district_id in districts:
        rule_for(district_id, code)  # made once, with the default points
    ct = ContentType.objects.get_for_model(evidence_model)
    # Each district's rule and go-live date, read once here and written into the statement
    # (not looked up again for each hit, twice or three times over).
    rules = {
        rule.district_id: rule
        for rule in AssessmentRule.objects.filter(
            district_id__in=districts, code=code, is_active=True
        )
    }
    if not rules:
        return 0
    go_live = dict(
        District.objects.filter(pk__in=rules, go_live_on__isnull=False).values_list(
            "pk", "go_live_on"
        )
    )
    today, now = clock.today(), clock.now()
    due = Coalesce(F("hit_due_on"), F("hit_occurred_on"))

    rows = hits.filter(hit_district__in=sorted(rules)).annotate(
        hit_rule=by_district({d: r.pk for d, r in rules.items()}, IntegerField(), "hit_district"),
        hit_points=by_district(
            {d: r.points for d, r in rules.items()},
            LedgerEntry._meta.get_field("points"),
            "hit_district",
        ),
        hit_year=YearOf(due),
        hit_on=Least(F("hit_occurred_on"), Value(today)),
    )
    for district_id, day in sorted(go_live.items()):
        # none before the district's go-live date
        rows = rows.exclude(Q(hit_district=district_id) & Q(GreaterThan(Value(day), due)))
    rows = rows.exclude(
        Exists(
            LedgerEntry.objects.filter(
                # the condition of the unique index that answers this, as written
                # there: SQLite reads a partial index only then (else it walks the
                # evidence type's index, every entry of that kind for each hit)
                ~Q(LiteralExact(F("rule_code"), "")),
                rule_code=code,
                evidence_type=ct,
                evidence_id=OuterRef("hit_evidence"),
                department_id=OuterRef("hit_department"),
            )
        )
    ).annotate(
        hit_code=Value(code),
        hit_type=Value(ct.pk),
        hit_at=Value(now, output_field=LedgerEntry._meta.get_field("created_at")),
        hit_file=Value(""),
        hit_file_name=Value(""),
    )
    mark = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    fields = (
        ("district_id", "hit_district"),
        ("department_id", "hit_department"),
        ("year", "hit_year"),
        ("points", "hit_points"),
        ("rule_id", "hit_rule"),
        ("rule_code", "hit_code"),
        ("reason", "hit_reason"),
        ("occurred_on", "hit_on"),
        ("evidence_type_id", "hit_type"),
        ("evidence_id", "hit_evidence"),
        ("created_at", "hit_at"),
        ("evidence_file", "hit_file"),
        ("evidence_name", "hit_file_name"),
    )
    written = insert_select(
        LedgerEntry, [f for f, _a in fields], rows.values_list(*[a for _f, a in fields])
    )
    if written:
        analyze_after(LedgerEntry, written)
        insert_history(
            LedgerEntry,
            LedgerEntry.objects.filter(
                pk__gt=mark, rule_code=code, evidence_type=ct, created_at=now
            ),
            timezone_now(),
        )
    return written


def timezone_now():
    """The moment history rows are dated (django-simple-history dates them so)."""
    from django.utils import timezone

    return timezone.now()
