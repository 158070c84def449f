"""Annual targets and the KPIs of SPEC §12.

KPIs (``compute``, ``compute_by``), each as of its cut-off — a closed year's figures are
those of its last day, read from dated records (stage dates, the day an obligation was met
or waived, the day funds arrived, the day a case was done, the day an agreement was signed),
never from a record's current status, so they do not move afterwards. The cohort of a year is the projects signed in that
calendar year (or, with ``since``, in the years from ``since`` to that year: a term's
cohort, whose later stages a single year's cohort has rarely reached by its year's end);
each figure counts what the cohort had reached by the cut-off, the last year's last day or
``as_of`` (today by default), whichever is earlier. A project signed after the cut-off is
not yet in the cohort; a stage reached after it is not yet counted.

- ``signed_count``: the cohort; ``signed_investment``: the sum of its total investment (万元)
  at the cut-off (``investment_then``: the project's history by then);
- ``registered_rate`` (注册率/落地率) = registered ÷ signed; ``start_rate`` (开工率) = started
  ÷ signed; ``production_rate`` (投产率) = in production ÷ signed;
- ``capacity_rate`` (达产率) = at designed capacity ÷ in production;
- ``performance_rate`` (履约率) = projects performing their agreement (an agreement signed by
  the cut-off, and none of its obligations missed at the cut-off — one met or waived only
  later still counts as missed, and each is judged by the due date it had then, not one
  moved later: ``agreements.querysets.with_performance(history=True)``) ÷ signed; a
  signed project without a recorded agreement does not count as performing;
- ``funds_in_place_rate`` (资金到位率) = the funds in place received up to the cut-off ÷ the
  contracted investment of the agreements at the cut-off (an amendment after it does not
  count), both over the cohort's projects that have an agreement signed by the cut-off (it
  can pass 1 when more money arrived than was contracted);
- ``on_time_rate`` (按时办结率) = approval cases done on time ÷ cases done, over the cohort's
  cases done by the cut-off; "on time" is approvals' one definition
  (``approvals.querysets.on_time_q``: done on or before the due date; a case without a
  due date cannot be late), the one the quarterly bulletin and the ledger use.

A rate whose denominator is zero is ``None`` (shown as "—", JSON ``null``): "no project"
is not "0 %". Rates are ``Decimal`` from 0 to 1, rounded to four places.

Every figure is a handful of SQL aggregates (five queries), whatever the number of
projects; ``compute_by`` gives the same figures per district (or another project field)
in the same five queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.agreements.models import Agreement
from zhaoshang.agreements.querysets import funds_to_date, with_performance
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.querysets import done_q, on_time_q
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.history import field_on
from zhaoshang.core.querysets import joined
from zhaoshang.core.services import lock_for_update, require
from zhaoshang.kpis import permissions
from zhaoshang.kpis.models import DEFAULT_TIERS, TIER_NUMBERS, AnnualTarget
from zhaoshang.projects.models import FundsEntry, Project
from zhaoshang.projects.querysets import project_field_on

RATE_PLACES = Decimal("0.0001")
AMOUNT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0")

# The KPIs in the order of SPEC §19's answer, with their labels.
KPI_LABELS = {
    "signed_count": gettext_lazy("Signed projects"),
    "signed_investment": gettext_lazy("Signed investment (10k yuan)"),
    "registered_rate": gettext_lazy("Registration rate"),
    "start_rate": gettext_lazy("Start rate"),
    "production_rate": gettext_lazy("Production rate"),
    "capacity_rate": gettext_lazy("Capacity rate"),
    "performance_rate": gettext_lazy("Performance rate"),
    "funds_in_place_rate": gettext_lazy("Funds-in-place rate"),
    "on_time_rate": gettext_lazy("On-time rate"),
}
KPI_NAMES = tuple(KPI_LABELS)
RATE_NAMES = KPI_NAMES[2:]
PARTS = ("numerator", "denominator")


def _rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """The signing years of a cohort — a calendar year by default, or the years from
    ``since`` to ``year`` — and its cut-off (the last year's end or ``as_of``, whichever is
    earlier)."""

    year: int
    start: datetime.date
    end: datetime.date
    cutoff: datetime.date
    since: int | None = None

    @classmethod
    def of(cls, year: int, as_of: datetime.date | None = None, since: int | None = None) -> Period:
        if since is not None and since > year:
            raise ValueError(since, year)
        since = since if since is not None and since < year else None
        start = datetime.date(since or year, 1, 1)
        end = datetime.date(year, 12, 31)
        return cls(year, start, end, min(end, as_of or clock.today()), since)

    @property
    def label(self) -> str:
        """ "2026", or "2022–2026" for several years."""
        return f"{self.since}–{self.year}" if self.since else str(self.year)


@dataclass(frozen=True)
class Kpis:
    """The figures of one cohort, with the numerators and denominators behind each rate."""

    period: Period
    signed_count: int = 0
    signed_investment: Decimal = ZERO
    registered: int = 0
    started: int = 0
    in_production: int = 0
    at_capacity: int = 0
    performing: int = 0
    funds_in_place: Decimal = ZERO
    contracted_investment: Decimal = ZERO
    cases_done: int = 0
    cases_on_time: int = 0

    @property
    def registered_rate(self):
        return _rate(self.registered, self.signed_count)

    @property
    def start_rate(self):
        return _rate(self.started, self.signed_count)

    @property
    def production_rate(self):
        return _rate(self.in_production, self.signed_count)

    @property
    def capacity_rate(self):
        return _rate(self.at_capacity, self.in_production)

    @property
    def performance_rate(self):
        return _rate(self.performing, self.signed_count)

    @property
    def funds_in_place_rate(self):
        return _rate(self.funds_in_place, self.contracted_investment)

    @property
    def on_time_rate(self):
        return _rate(self.cases_on_time, self.cases_done)

    def parts(self, kpi: str) -> tuple:
        """(numerator, denominator) of a KPI; the denominator is None for the two totals."""
        return {
            "signed_count": (self.signed_count, None),
            "signed_investment": (self.signed_investment, None),
            "registered_rate": (self.registered, self.signed_count),
            "start_rate": (self.started, self.signed_count),
            "production_rate": (self.in_production, self.signed_count),
            "capacity_rate": (self.at_capacity, self.in_production),
            "performance_rate": (self.performing, self.signed_count),
            "funds_in_place_rate": (self.funds_in_place, self.contracted_investment),
            "on_time_rate": (self.cases_on_time, self.cases_done),
        }[kpi]

    def as_dict(self) -> dict:
        """The answer of ``/api/v1/kpis/`` (SPEC §19): the KPIs by name."""
        return {name: getattr(self, name) for name in KPI_NAMES}


# ---------------------------------------------------------------------------------------
# The cohort and its figures


def filter_projects(
    projects, *, park=None, industry=None, working_group=None, level=None, district=None
):
    """The KPI filters of SPEC §12 (park, industry, working group, level) and the district
    a city user picks."""
    filters = {
        "park": park,
        "industry": industry,
        "working_group": working_group,
        "level": level,
        "district": district,
    }
    return projects.filter(**{k: v for k, v in filters.items() if v not in (None, "")})


def investment_on(cut: datetime.date):
    """SQL: a project's total investment at the cut-off (its history's version by then; a
    revision after a closed year does not move the year's signed investment)."""
    return project_field_on(cut, "total_investment", AMOUNT)


def contracted_on(cut: datetime.date):
    """SQL: an agreement's contracted investment at the cut-off (its history's version by
    then: an amendment after a closed year does not move the year's funds rate)."""
    return field_on(Agreement, cut, "contracted_investment", AMOUNT)


def cohort(projects, period: Period):
    """The projects of ``projects`` signed in the period, up to its cut-off. A plain
    queryset of projects (the given one is used as a set of ids, so its joins and
    annotations cannot double anything; one that is already plain — conditions on the
    projects' own columns, such as the snapshots' districts — is filtered as it is, so that
    the district's index of signing dates finds the cohort rather than every project of the
    district being looked up by its id)."""
    signed = {"signed_on__gte": period.start, "signed_on__lte": period.cutoff}
    if _plain(projects):
        return projects.order_by().filter(**signed)
    return Project.objects.filter(pk__in=projects.order_by().values("pk"), **signed)


def _plain(projects) -> bool:
    """``projects`` is a queryset of the projects' table alone: no join, annotation,
    grouping, distinct or slice (each row a project, once)."""
    query = getattr(projects, "query", None)
    return (
        query is not None
        and projects.model is Project
        and not joined(query)  # (the joins no condition uses trimmed)
        and not query.annotations
        and query.group_by is None
        and not query.distinct
        and not query.is_sliced
        and not query.combinator
        and not query.extra
        and not query.select_related
    )


def _grouped(queryset, key: str | None, **aggregates) -> dict:
    if key is None:
        return {None: queryset.order_by().aggregate(**aggregates)}
    rows = queryset.order_by().values(key).annotate(**aggregates)
    return {row.pop(key): row for row in rows}


def compute_by(
    projects,
    year: int,
    key: str | None,
    as_of: datetime.date | None = None,
    since: int | None = None,
) -> dict:
    """The KPIs of ``projects`` for ``year`` (or the years ``since``–``year``) grouped by a
    field of the project (e.g. ``"district"``): {value: Kpis}; groups without signed
    projects are left out (except with ``key=None``, which gives {None: Kpis})."""
    period = Period.of(year, as_of, since)
    cut = period.cutoff
    base = cohort(projects, period)
    via = None if key is None else f"project__{key}"
    stages = _grouped(
        base.annotate(investment_then=investment_on(cut)),
        key,
        signed_count=Count("pk"),
        signed_investment=Coalesce(Sum("investment_then"), Value(ZERO), output_field=AMOUNT),
        registered=Count("pk", filter=Q(registered_on__lte=cut)),
        started=Count("pk", filter=Q(started_on__lte=cut)),
        in_production=Count("pk", filter=Q(production_on__lte=cut)),
        at_capacity=Count("pk", filter=Q(capacity_on__lte=cut)),
    )
    performing = _grouped(
        with_performance(base, cut, history=True, figures=("is_performing",)),
        key,
        performing=Count("pk", filter=Q(is_performing=True)),
    )
    with_agreement = base.filter(agreement__signed_on__lte=cut)
    funds = _grouped(
        FundsEntry.objects.filter(project__in=with_agreement, received_on__lte=cut),
        via,
        funds_in_place=Sum("amount"),
    )
    contracted = _grouped(
        Agreement.objects.filter(project__in=with_agreement).annotate(
            contracted_then=contracted_on(cut)
        ),
        via,
        contracted_investment=Sum("contracted_then"),
    )
    cases = _grouped(
        ApprovalCase.objects.filter(project__in=base).done(until=cut),
        via,
        cases_done=Count("pk"),
        cases_on_time=Count("pk", filter=on_time_q()),
    )
    out = {}
    for group, figures in stages.items():
        values = dict(figures)
        for extra in (performing, funds, contracted, cases):
            values.update({k: v for k, v in extra.get(group, {}).items() if v is not None})
        out[group] = Kpis(period=period, **values)
    return out


def compute(
    projects, year: int, as_of: datetime.date | None = None, since: int | None = None
) -> Kpis:
    """The KPIs of SPEC §12 for the projects signed in ``year`` (or the years
    ``since``–``year``) among ``projects`` (a queryset the caller has scoped and filtered),
    as reached by the cut-off."""
    return compute_by(projects, year, None, as_of, since)[None]


# ---------------------------------------------------------------------------------------
# Drill-down: the projects behind a figure


def drill(
    projects,
    year: int,
    kpi: str,
    part: str,
    as_of: datetime.date | None = None,
    since: int | None = None,
):
    """The projects behind the numerator or the denominator of a KPI, annotated with the
    columns that prove it: ``funds_to_cutoff`` and ``contracted`` for the funds rate,
    ``cases_done`` and ``cases_on_time`` for the on-time rate, ``is_performing`` and
    ``obligations_missed`` for the performance rate. The rows (or, for amounts and case
    counts, the sums of those columns) are the figure."""
    if kpi not in KPI_NAMES or part not in PARTS:
        raise ValueError(kpi, part)
    period = Period.of(year, as_of, since)
    cut = period.cutoff
    qs = cohort(projects, period)
    stage_field = {
        "registered_rate": "registered_on",
        "start_rate": "started_on",
        "production_rate": "production_on",
        "capacity_rate": "capacity_on",
    }
    if kpi in ("signed_count", "signed_investment"):
        return qs.annotate(investment_then=investment_on(cut))
    if kpi in stage_field:
        if kpi == "capacity_rate" and part == "denominator":
            return qs.filter(production_on__lte=cut)
        if part == "denominator":
            return qs
        return qs.filter(**{f"{stage_field[kpi]}__lte": cut})
    if kpi == "performance_rate":
        qs = with_performance(qs, cut, history=True)
        return qs.filter(is_performing=True) if part == "numerator" else qs
    if kpi == "funds_in_place_rate":
        contracted = (
            Agreement.objects.filter(project=OuterRef("pk"))
            .annotate(contracted_then=contracted_on(cut))
            .values("contracted_then")[:1]
        )
        qs = qs.filter(agreement__signed_on__lte=cut).annotate(
            funds_to_cutoff=funds_to_date(cut, "pk"),
            contracted=Subquery(contracted, output_field=AMOUNT),
        )
        return qs.filter(funds_to_cutoff__gt=0) if part == "numerator" else qs
    # on_time_rate
    done = done_q(until=cut, prefix="approval_cases__")
    on_time = done & on_time_q(prefix="approval_cases__")
    qs = qs.annotate(
        cases_done=Count("approval_cases", filter=done),
        cases_on_time=Count("approval_cases", filter=on_time),
    )
    return qs.filter(cases_on_time__gt=0) if part == "numerator" else qs.filter(cases_done__gt=0)


# ---------------------------------------------------------------------------------------
# Annual targets

TARGET_FIELDS = (
    "year",
    "working_group",
    "department",
    *[f"tier{n}_{part}" for n in TIER_NUMBERS for part in ("min", "count")],
    "signed_investment",
    "funds_in_place",
    "note",
)
MIN_YEAR, MAX_YEAR = 2000, 2100


def default_tiers() -> dict:
    """The "369" tiers as form and API defaults."""
    out = {}
    for n, (minimum, count) in zip(TIER_NUMBERS, DEFAULT_TIERS, strict=True):
        out[f"tier{n}_min"] = minimum
        out[f"tier{n}_count"] = count
    return out


def _label(name: str) -> str:
    return str(AnnualTarget._meta.get_field(name).verbose_name)


def _check_target(district_id, data: dict, target: AnnualTarget | None) -> dict:
    """The rules of a target; returns {field: message}."""
    errors: dict[str, str] = {}
    year = data.get("year")
    if year is None:
        errors["year"] = _("Give the year.")
    elif not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("The year must be between %(low)s and %(high)s.") % {
            "low": MIN_YEAR,
            "high": MAX_YEAR,
        }
    group, department = data.get("working_group"), data.get("department")
    if group is not None and department is not None:
        errors["department"] = _(
            "A target is for a working group or for a department, not both: leave one empty."
        )
    if group is not None and group.district_id != district_id:
        errors["working_group"] = _("The working group belongs to another district.")
    if department is not None and department.district_id != district_id:
        errors["department"] = _("The department belongs to another district.")
    amounts = [f"tier{n}_min" for n in TIER_NUMBERS] + ["signed_investment", "funds_in_place"]
    counts = [f"tier{n}_count" for n in TIER_NUMBERS]
    for name in amounts + counts:
        value = data.get(name)
        if value is None:
            errors[name] = _("Give the %(field)s.") % {"field": _label(name)}
        elif value < 0:
            errors[name] = _("The %(field)s cannot be negative.") % {"field": _label(name)}
    for n in TIER_NUMBERS[1:]:
        larger, smaller = data.get(f"tier{n - 1}_min"), data.get(f"tier{n}_min")
        name = f"tier{n}_min"
        ordered = larger is None or smaller is None or smaller < larger
        if not ordered and name not in errors:
            errors[name] = _(
                "The %(field)s must be below the minimum of tier %(n)s: the tiers go "
                "from the largest projects down."
            ) % {"field": _label(name), "n": n - 1}
    if "year" not in errors and not {"working_group", "department"} & set(errors):
        same = AnnualTarget.objects.filter(
            district_id=district_id,
            year=year,
            working_group=group,
            department=department if group is None else None,
        )
        if target is not None:
            same = same.exclude(pk=target.pk)
        if same.exists():
            errors["year"] = _("This scope already has a target for %(year)s: edit that one.") % {
                "year": year
            }
    return errors


def _clean(fields: dict) -> dict:
    data = {name: fields.get(name) for name in TARGET_FIELDS}
    data["note"] = (data.get("note") or "").strip()
    return data


def create_target(user, *, district, **fields) -> AnnualTarget:
    """Set the targets of a year for the district, a working group or a department."""
    require(permissions.can_edit_targets(user, getattr(district, "pk", None)))
    data = _clean(fields)
    errors = _check_target(district.pk, data, None)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target = AnnualTarget.objects.create(district=district, **data)
        log_event(user, "annual_target.created", target, str(target))
    return target


def update_target(
    user, target: AnnualTarget, *, expected_version: int | None = None, **fields
) -> AnnualTarget:
    """Change a target; fields left out keep their value. A stale ``expected_version``
    is refused and changes nothing."""
    require(permissions.can_edit_targets(user, target.district_id))
    with transaction.atomic():
        locked = lock_for_update(target, expected_version)
        data = _clean(
            {
                name: fields[name] if name in fields else getattr(locked, name)
                for name in TARGET_FIELDS
            }
        )
        errors = _check_target(locked.district_id, data, locked)
        if errors:
            raise ValidationError(errors)
        changed = [name for name in TARGET_FIELDS if getattr(locked, name) != data[name]]
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save_new_version()
        log_event(user, "annual_target.updated", locked, ", ".join(changed), fields=changed)
    return locked


def delete_target(user, target: AnnualTarget) -> None:
    """Remove a target set by mistake (the history keeps it)."""
    require(permissions.can_edit_targets(user, target.district_id))
    with transaction.atomic():
        log_event(user, "annual_target.deleted", target, str(target))
        target.delete()
