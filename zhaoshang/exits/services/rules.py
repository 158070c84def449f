"""The exit rules: month arithmetic, the district's rule table and the clearing fact of
each rule as one SQL condition on projects."""

from __future__ import annotations

import calendar
import datetime

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils.translation import gettext as _

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Obligation
from zhaoshang.core.querysets import in_districts
from zhaoshang.exits.choices import DEFAULT_RULES, ClearingFact
from zhaoshang.exits.models import ExitRule
from zhaoshang.exits.services.thresholds import threshold_expression
from zhaoshang.org.models import District

ONE_DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months; a day the target month does not have is
    clamped to its last day (30 November + 3 → 28 or 29 February; 31 August + 3 →
    30 November; 29 February + 24 → 28 February). ``months`` may be negative."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_anchor_due_before(today: datetime.date, months: int) -> datetime.date:
    """The latest anchor date whose due date (``add_months(anchor, months)``) is before
    ``today``: every earlier anchor is due before today too (``add_months`` never goes
    back as the anchor moves on), so one comparison in SQL selects the projects due."""
    day = add_months(today, -months) + datetime.timedelta(days=7)
    while add_months(day, months) >= today:
        day -= ONE_DAY
    return day


def ensure_default_rules(district) -> list[ExitRule]:
    """The district's rule table, the work plan's three rules created on first use
    (三个月不开工, 两年不投产, 三年不见效, counted from the land delivery)."""
    rules = []
    for code, anchor, months, clears_by in DEFAULT_RULES:
        rule, _created = ExitRule.objects.get_or_create(
            district_id=getattr(district, "pk", district),
            code=code,
            defaults={"anchor": anchor, "months": months, "clears_by": clears_by},
        )
        rules.append(rule)
    return rules


def _ensure_rules_everywhere(district_ids: list[int] | None = None) -> int:
    """Default rules for every district (of ``district_ids``; None: all) that lacks one of
    them (a district made before a rule was added gets it on the next scan); returns how
    many were made."""
    have: dict[int, set[str]] = {}
    rules = in_districts(ExitRule.objects, district_ids)
    for district_id, code in rules.values_list("district_id", "code"):
        have.setdefault(district_id, set()).add(code)
    codes = {code for code, *_rest in DEFAULT_RULES}
    made = 0
    districts = in_districts(District.objects, district_ids, "pk")
    for district_id in districts.order_by("pk").values_list("pk", flat=True):
        missing = codes - have.get(district_id, set())
        if missing:
            ensure_default_rules(district_id)
            made += len(missing)
    return made


def _decimal_field() -> DecimalField:
    return DecimalField(max_digits=20, decimal_places=4)


def fact_met_q(rule: ExitRule) -> Q:
    """The condition on ``Project`` rows under which ``rule`` is satisfied (see the module
    docstring), as one SQL expression."""
    if rule.clears_by == ClearingFact.STARTED:
        return (
            Q(started_on__isnull=False)
            | Q(completed_on__isnull=False)
            | Q(production_on__isnull=False)
            | Q(capacity_on__isnull=False)
        )
    if rule.clears_by == ClearingFact.PRODUCTION:
        return Q(production_on__isnull=False) | Q(capacity_on__isnull=False)
    if rule.clears_by == ClearingFact.LAND:
        return land_q()
    return _benefit_q(rule)


# The project's dates that show it has its land: delivered, or a later stage reached.
LAND_FACT_FIELDS = (
    "land_delivered_on",
    "started_on",
    "completed_on",
    "production_on",
    "capacity_on",
)


def land_q() -> Q:
    """The project has its land: delivered, or a later stage reached."""
    met = Q()
    for name in LAND_FACT_FIELDS:
        met |= Q(**{f"{name}__isnull": False})
    return met


def _benefit_q(rule: ExitRule) -> Q:
    owed = Obligation.objects.filter(
        agreement__project=OuterRef("pk"), party=Party.ENTERPRISE, waived_on__isnull=True
    )
    kinds = (ObligationKind.TAX, ObligationKind.INTENSITY, ObligationKind.OUTPUT)
    confirmed = owed.filter(kind__in=kinds, confirmed_on__isnull=False)
    tax_target = owed.filter(kind=ObligationKind.TAX, target_amount__isnull=False)
    intensity_target = owed.filter(kind=ObligationKind.INTENSITY, target_amount__isnull=False)
    tax_reached = tax_target.filter(target_amount__lte=OuterRef("actual_tax"))
    intensity_reached = intensity_target.annotate(
        needed=ExpressionWrapper(
            F("target_amount") * OuterRef("land_area"), output_field=_decimal_field()
        )
    ).filter(needed__lte=OuterRef("fixed_asset_investment"))
    met = (
        Q(Exists(confirmed))
        | Q(Exists(tax_reached))
        | (Q(land_area__gt=0) & Q(Exists(intensity_reached)))
    )
    # Where the agreement sets no target, the district's thresholds (one table with the
    # land clean-up: park and industry > park > industry > default, per measure).
    met |= (
        ~Q(Exists(tax_target))
        & Q(land_area__gt=0)
        & _at_least("actual_tax", threshold_expression("min_tax_per_mu"))
    )
    met |= (
        ~Q(Exists(intensity_target))
        & Q(land_area__gt=0)
        & _at_least("fixed_asset_investment", threshold_expression("min_intensity"))
    )
    return met


def _at_least(field: str, per_mu) -> Q:
    """``field`` at or above ``land_area`` times a per-mu threshold, as a condition that is
    false (never NULL) where either is unknown: a measure no row sets clears nothing, and
    the scan's ``exclude`` of the met projects keeps such a project a candidate."""
    needed = ExpressionWrapper(F("land_area") * per_mu, output_field=_decimal_field())
    return Q(
        Case(
            When(Q(**{f"{field}__gte": needed}), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _fact_text(rule: ExitRule, project) -> str:
    if rule.clears_by == ClearingFact.STARTED:
        day = project.started_on or project.completed_on or project.production_on
        return _("Construction started on %(date)s") % {"date": day.isoformat() if day else "—"}
    if rule.clears_by == ClearingFact.PRODUCTION:
        day = project.production_on or project.capacity_on
        return _("Production started on %(date)s") % {"date": day.isoformat() if day else "—"}
    if rule.clears_by == ClearingFact.LAND:
        day = project.land_delivered_on or project.started_on
        return _("Land delivered on %(date)s") % {"date": day.isoformat() if day else "—"}
    return _("The agreed benefit was reached")
