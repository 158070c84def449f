"""The figures of the three reports, as plain JSON-ready data.

The same dictionary is shown on screen, written to the Excel, Word and PDF files, and kept
as the frozen snapshot of an issued report. Every figure is computed in SQL (aggregates and
annotations): a report costs a constant number of queries whatever the number of projects.

Shape::

    {"kind", "period", "period_label", "title", "district", "as_of", "project_count",
     "summary": [[label, value, type], ...],
     "sections": [{"heading", "note", "columns": [[label, type], ...], "rows": [[...]],
                   "total": [...] | None}],
     "labels": {"light": {code: label}}}

Column types: ``text``, ``int``, ``money`` (10k yuan, 2 decimals), ``rate`` (0–1 or None),
``score`` (1 decimal), ``light`` (a light code, shown by its label).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Milestone
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.querysets import on_time_q
from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import RuleCode
from zhaoshang.complaints.choices import SUBSTANTIATED_OUTCOMES
from zhaoshang.complaints.models import Complaint
from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.monitoring.lights import project_light
from zhaoshang.monitoring.models import Signal
from zhaoshang.org.models import Department
from zhaoshang.projects.choices import REPORTING_STAGES, Condition, Stage
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project
from zhaoshang.reports.choices import Kind, Period

Progress = Callable[[int], None]
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
CHUNK = 2000

# Quarterly bulletin: the weights of the combined score (documented on the report).
WEIGHT_TIMELINESS = 40
WEIGHT_COMMITMENTS = 40
WEIGHT_COMPLAINTS = 20


def _noop(_percent: int) -> None:
    return None


def money(value) -> float:
    return round(float(value or 0), 2)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def light_labels() -> dict[str, str]:
    return {
        Light.RED: _("Red"),
        Light.YELLOW: _("Yellow"),
        Light.GREEN: _("Green"),
    }


def title_for(kind: str, period: Period, district) -> str:
    """The document's title, as the district office writes it."""
    if kind == Kind.MONTHLY:
        return _("%(district)s investment projects: monthly summary, %(period)s") % {
            "district": district.name,
            "period": period.label_zh,
        }
    if kind == Kind.QUARTERLY:
        return _("%(district)s investment projects: quarterly bulletin, %(period)s") % {
            "district": district.name,
            "period": period.label_zh,
        }
    return _("%(district)s departments' year-end assessment, %(period)s") % {
        "district": district.name,
        "period": period.label_zh,
    }


def build(kind: str, period: Period, district, *, projects=None, progress: Progress = _noop):
    """The figures of ``kind`` for ``period`` in ``district``. ``projects`` narrows the
    monthly summary (a park committee's live view shows its parks' projects)."""
    builder = {Kind.MONTHLY: monthly, Kind.QUARTERLY: quarterly, Kind.ANNUAL: annual}[kind]
    if kind == Kind.MONTHLY:
        data = builder(period, district, projects=projects, progress=progress)
    else:
        data = builder(period, district, progress=progress)
    data.update(
        kind=kind,
        period=period.code,
        period_label=period.label_zh,
        title=title_for(kind, period, district),
        district=district.name,
        generated_at=timezone.localtime(clock.now()).isoformat(timespec="seconds"),
        labels={"light": light_labels()},
    )
    progress(100)
    return data


def as_of(period: Period) -> datetime.date:
    return min(period.end, clock.today())


# --- 按月汇总 ------------------------------------------------------------------------------


def active_projects(district, projects=None):
    """The projects the monthly summary covers: signed and not exited or terminated."""
    qs = projects if projects is not None else Project.objects.all()
    return qs.filter(district=district, stage__in=REPORTING_STAGES)


def monthly_queryset(period: Period, district, projects=None):
    """Active projects annotated with the month's figures: ``light`` (the worst of its
    signals), ``funds_in`` (funds in place by the month's end), ``month_investment`` (the
    month's report), ``cumulative`` and ``progress_text`` (its latest report up to the
    month)."""
    funds = (
        FundsEntry.objects.filter(project=OuterRef("pk"), received_on__lte=period.end)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    this_month = MonthlyReport.objects.filter(project=OuterRef("pk"), month=period.start)
    latest = MonthlyReport.objects.filter(project=OuterRef("pk"), month__lte=period.start).order_by(
        "-month"
    )
    return active_projects(district, projects).annotate(
        light=project_light(),
        funds_in=Coalesce(Subquery(funds, output_field=MONEY), ZERO),
        month_investment=Coalesce(
            Subquery(this_month.values("investment_this_month")[:1], output_field=MONEY), ZERO
        ),
        cumulative=Coalesce(
            Subquery(latest.values("investment_cumulative")[:1], output_field=MONEY), ZERO
        ),
        progress_text=Coalesce(
            Subquery(this_month.values("image_progress")[:1], output_field=TextField()),
            Value(""),
            output_field=TextField(),
        ),
    )


GROUP_AGGREGATES = {
    "n": Count("pk"),
    "investment": Coalesce(Sum("total_investment"), ZERO),
    "funds_total": Coalesce(Sum("funds_in"), ZERO),
    "month_total": Coalesce(Sum("month_investment"), ZERO),
    "red": Count("pk", filter=Q(light=Light.RED)),
    "yellow": Count("pk", filter=Q(light=Light.YELLOW)),
}


def _group_columns(first: str) -> list:
    return [
        [first, "text"],
        [_("Projects"), "int"],
        [_("Total investment (10k yuan)"), "money"],
        [_("Funds in place (10k yuan)"), "money"],
        [_("Investment this month (10k yuan)"), "money"],
        [_("Red"), "int"],
        [_("Yellow"), "int"],
    ]


def _group_row(name, row) -> list:
    return [
        name,
        row["n"],
        money(row["investment"]),
        money(row["funds_total"]),
        money(row["month_total"]),
        row["red"],
        row["yellow"],
    ]


def monthly(period: Period, district, *, projects=None, progress: Progress = _noop) -> dict:
    qs = monthly_queryset(period, district, projects)
    totals = qs.aggregate(**GROUP_AGGREGATES, green=Count("pk", filter=Q(light=Light.GREEN)))
    progress(10)
    total_row = _group_row(_("Total"), totals)
    by_park = [
        _group_row(row["park__name"] or _("No park"), row)
        for row in qs.order_by("park__code", "park_id")
        .values("park_id", "park__code", "park__name")
        .annotate(**GROUP_AGGREGATES)
    ]
    progress(20)
    by_industry = [
        _group_row(row["industry__name"] or _("No industry"), row)
        for row in qs.order_by("industry_id").values("industry_id", "industry__name")
        .annotate(**GROUP_AGGREGATES)
    ]  # fmt: skip
    progress(30)
    stage_labels = dict(Stage.choices)
    stage_rows = {
        row["stage"]: row for row in qs.order_by().values("stage").annotate(**GROUP_AGGREGATES)
    }
    by_stage = [
        _group_row(str(stage_labels[stage]), stage_rows[stage])
        for stage in stage_labels
        if stage in stage_rows
    ]
    progress(40)
    conditions = dict(Condition.choices)
    detail = []
    count = totals["n"] or 1
    rows = (
        qs.select_related(None)
        .order_by("park__code", "code")
        .values_list(
            "code",
            "name",
            "park__name",
            "industry__name",
            "stage",
            "condition",
            "light",
            "total_investment",
            "funds_in",
            "month_investment",
            "cumulative",
            "progress_text",
        )
    )
    for i, row in enumerate(rows.iterator(chunk_size=CHUNK), 1):
        code, name, park, industry, stage, condition, light, invest, funds, month, cum, text = row
        detail.append(
            [
                code,
                name,
                park or "",
                industry or "",
                str(stage_labels.get(stage, stage)),
                str(conditions.get(condition, condition)),
                light,
                money(invest),
                money(funds),
                money(month),
                money(cum),
                text,
            ]
        )
        if i % CHUNK == 0:
            progress(40 + int(50 * i / count))
    progress(90)
    n = totals["n"]
    return {
        "as_of": as_of(period).isoformat(),
        "due_on": period.due_on.isoformat(),
        "project_count": n,
        "summary": [
            [_("Active projects"), n, "int"],
            [_("Total investment (10k yuan)"), money(totals["investment"]), "money"],
            [_("Funds in place (10k yuan)"), money(totals["funds_total"]), "money"],
            [_("Investment this month (10k yuan)"), money(totals["month_total"]), "money"],
            [_("Red-light projects"), totals["red"], "int"],
            [_("Yellow-light projects"), totals["yellow"], "int"],
            [_("Green-light projects"), totals["green"], "int"],
        ],
        "sections": [
            {
                "heading": _("By park"),
                "note": "",
                "columns": _group_columns(_("Park")),
                "rows": by_park,
                "total": total_row,
            },
            {
                "heading": _("By industry"),
                "note": "",
                "columns": _group_columns(_("Industry")),
                "rows": by_industry,
                "total": total_row,
            },
            {
                "heading": _("By stage"),
                "note": "",
                "columns": _group_columns(_("Stage")),
                "rows": by_stage,
                "total": total_row,
            },
            {
                "heading": _("Projects"),
                "note": _(
                    "Every signed project not exited or terminated; the light is the worst "
                    "of its open items when the summary was made; progress is the month's "
                    "report."
                ),
                "columns": [
                    [_("Code"), "text"],
                    [_("Project"), "text"],
                    [_("Park"), "text"],
                    [_("Industry"), "text"],
                    [_("Stage"), "text"],
                    [_("Condition"), "text"],
                    [_("Light"), "light"],
                    [_("Total investment (10k yuan)"), "money"],
                    [_("Funds in place (10k yuan)"), "money"],
                    [_("Investment this month (10k yuan)"), "money"],
                    [_("Cumulative investment (10k yuan)"), "money"],
                    [_("Progress this month"), "text"],
                ],
                "rows": detail,
                "total": None,
                "detail": True,
            },
        ],
    }


# --- 按季通报 ------------------------------------------------------------------------------


def combined_score(timeliness, commitments, complaints, substantiated, late) -> float:
    """The bulletin's combined score (0–100), higher is better:

    40 × timeliness rate + 40 × commitments-kept rate + 20 × complaint score, where a rate
    with nothing to count is 1 (nothing was late) and the complaint score is
    1 − (substantiated + answered late) ÷ (2 × complaints), or 1 without complaints."""
    t = 1.0 if timeliness is None else timeliness
    c = 1.0 if commitments is None else commitments
    k = 1.0 - (substantiated + late) / (2 * complaints) if complaints else 1.0
    return round(WEIGHT_TIMELINESS * t + WEIGHT_COMMITMENTS * c + WEIGHT_COMPLAINTS * k, 1)


def formula_text() -> str:
    return _(
        "Combined score = 40 × timeliness (cases done on time ÷ cases done in the quarter) "
        "+ 40 × commitments kept (milestones due in the quarter done by their due date ÷ "
        "milestones due) + 20 × (1 − (substantiated + answered late) ÷ (2 × complaints)); a "
        "rate with nothing to count counts as 1. Equal scores share a rank."
    )


def rank_rows(rows: list, key) -> None:
    """Competition ranking (1, 2, 2, 4) by ``key`` descending; writes ``rank`` in place."""
    rows.sort(key=lambda r: -key(r))
    previous, rank = None, 0
    for position, row in enumerate(rows, 1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row["rank"] = rank


def quarterly(period: Period, district, *, progress: Progress = _noop) -> dict:
    end = as_of(period)
    cases = {
        row["department_id"]: row
        for row in ApprovalCase.objects.filter(district=district)
        .done(until=end, since=period.start)
        .order_by()
        .values("department_id")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=on_time_q()))
    }
    milestones = {
        row["owner_department_id"]: row
        for row in Milestone.objects.filter(
            commitment__district=district, due_on__range=(period.start, end)
        )
        .order_by()
        .values("owner_department_id")
        .annotate(due=Count("pk"), kept=Count("pk", filter=Q(done_on__lte=F("due_on"))))
    }
    complaints = {
        row["department_id"]: row
        for row in Complaint.objects.filter(
            district=district, department__isnull=False, received_on__range=(period.start, end)
        )
        .order_by()
        .values("department_id")
        .annotate(
            n=Count("pk"),
            substantiated=Count("pk", filter=Q(outcome__in=SUBSTANTIATED_OUTCOMES)),
            late=Count(
                "pk",
                filter=Q(answered_on__gt=F("answer_by"))
                | Q(answered_on__isnull=True, answer_by__lt=end),
            ),
        )
    }
    progress(40)
    rows = []
    active = set(cases) | set(milestones) | set(complaints)
    for dept in Department.objects.filter(district=district, pk__in=active).order_by(
        "sort_order", "id"
    ):
        c = cases.get(dept.pk, {})
        m = milestones.get(dept.pk, {})
        k = complaints.get(dept.pk, {})
        done, on_time = c.get("done", 0), c.get("on_time", 0)
        due, kept = m.get("due", 0), m.get("kept", 0)
        n, sub, late = k.get("n", 0), k.get("substantiated", 0), k.get("late", 0)
        timeliness, commitments = rate(on_time, done), rate(kept, due)
        rows.append(
            {
                "department": dept.name,
                "cells": [
                    done,
                    on_time,
                    timeliness,
                    due,
                    kept,
                    commitments,
                    n,
                    sub,
                    late,
                    combined_score(timeliness, commitments, n, sub, late),
                ],
            }
        )
    rank_rows(rows, key=lambda r: r["cells"][-1])
    progress(60)
    red = (
        Signal.objects.filter(district=district, light=Light.RED, project__isnull=False)
        .select_related("project__park", "department")
        .order_by("project__code", "due_on", "id")
    )
    named: dict[int, dict] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    for signal in red:
        project = signal.project
        named.setdefault(
            project.pk,
            {
                "code": project.code,
                "name": project.name,
                "park": project.park.name if project.park_id else "",
            },
        )
        who = f"（{signal.department.name}）" if signal.department_id else ""
        due = f" {_('due')} {signal.due_on:%Y-%m-%d}" if signal.due_on else ""
        reasons[project.pk].append(f"{signal.title}{who}{due}")
    red_rows = [
        [p["code"], p["name"], p["park"], len(reasons[pk]), "；".join(reasons[pk])]
        for pk, p in named.items()
    ]
    progress(90)
    return {
        "as_of": end.isoformat(),
        "project_count": len(red_rows),
        "summary": [
            [_("Departments ranked"), len(rows), "int"],
            [_("Approval cases done"), sum(r["cells"][0] for r in rows), "int"],
            [_("Milestones due"), sum(r["cells"][3] for r in rows), "int"],
            [_("Complaints"), sum(r["cells"][6] for r in rows), "int"],
            [_("Red-light projects"), len(red_rows), "int"],
        ],
        "formula": formula_text(),
        "sections": [
            {
                "heading": _("Departments ranked"),
                "note": formula_text(),
                "columns": [
                    [_("Rank"), "int"],
                    [_("Department"), "text"],
                    [_("Cases done"), "int"],
                    [_("Done on time"), "int"],
                    [_("Timeliness"), "rate"],
                    [_("Milestones due"), "int"],
                    [_("Kept"), "int"],
                    [_("Commitments kept"), "rate"],
                    [_("Complaints"), "int"],
                    [_("Substantiated"), "int"],
                    [_("Answered late"), "int"],
                    [_("Combined score"), "score"],
                ],
                "rows": [[r["rank"], r["department"], *r["cells"]] for r in rows],
                "total": None,
            },
            {
                "heading": _("Red-light projects"),
                "note": _("Projects with an overdue item when the bulletin was made, and why."),
                "columns": [
                    [_("Code"), "text"],
                    [_("Project"), "text"],
                    [_("Park"), "text"],
                    [_("Red items"), "int"],
                    [_("Why (red items)"), "text"],
                ],
                "rows": red_rows,
                "total": None,
            },
        ],
    }


# --- 年终考核 ------------------------------------------------------------------------------


def annual(period: Period, district, *, progress: Progress = _noop) -> dict:
    settings = scoring.assessment_year(district, period.year)
    standings = scoring.standings(district, period.year, settings)
    progress(50)
    rules = dict(RuleCode.choices)
    names = {s.department.pk: s.department.name for s in standings}
    breakdown = (
        scoring.counted_entries(district, period.year, settings)
        .order_by()
        .values("department_id", "department__name", "rule_code")
        .annotate(n=Count("pk"), points=Coalesce(Sum("points"), ZERO))
    )
    order = {s.department.pk: i for i, s in enumerate(standings)}
    detail = sorted(
        breakdown,
        key=lambda r: (order.get(r["department_id"], 10**6), r["rule_code"] or "~"),
    )
    progress(80)
    return {
        "as_of": as_of(period).isoformat(),
        "project_count": 0,
        "year_status": getattr(settings, "status", "") or "",
        "summary": [
            [_("Departments assessed"), len(standings), "int"],
            [_("Ledger entries"), sum(s.entry_count for s in standings), "int"],
        ],
        "sections": [
            {
                "heading": _("Scores and ranks"),
                "note": _(
                    "Score = base score + the year's ledger entries (deductions are negative, "
                    "additions positive); derived from the ledger, never typed."
                ),
                "columns": [
                    [_("Rank"), "int"],
                    [_("Department"), "text"],
                    [_("Base score"), "score"],
                    [_("Deductions"), "score"],
                    [_("Additions"), "score"],
                    [_("Score"), "score"],
                    [_("Entries"), "int"],
                ],
                "rows": [
                    [
                        s.rank,
                        s.department.name,
                        float(s.base),
                        float(s.deductions),
                        float(s.additions),
                        float(s.score),
                        s.entry_count,
                    ]
                    for s in standings
                ],
                "total": None,
            },
            {
                "heading": _("Entries by department and rule"),
                "note": "",
                "columns": [
                    [_("Department"), "text"],
                    [_("Rule"), "text"],
                    [_("Entries"), "int"],
                    [_("Points"), "score"],
                ],
                "rows": [
                    [
                        names.get(r["department_id"], r["department__name"]),
                        str(rules.get(r["rule_code"], _("Hand entry by the supervision office")))
                        if r["rule_code"]
                        else _("Hand entry by the supervision office"),
                        r["n"],
                        float(r["points"]),
                    ]
                    for r in detail
                ],
                "total": None,
            },
        ],
    }
