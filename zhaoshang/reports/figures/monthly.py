"""按月汇总: the monthly summary of the district's active projects, by park, industry and
stage, with every project's light, funds and progress."""

from __future__ import annotations

from django.db.models import (
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zhaoshang.core.lights import Light
from zhaoshang.monitoring.lights import project_light, project_light_on
from zhaoshang.projects.choices import REPORTING_STAGES, Condition, Stage
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project, StageEvent
from zhaoshang.projects.querysets import project_field_on
from zhaoshang.reports.choices import Period
from zhaoshang.reports.figures.common import (
    CHUNK,
    MONEY,
    ZERO,
    Progress,
    _noop,
    as_of,
    is_closed,
    money,
)


def active_projects(district, projects=None, on=None):
    """The projects the monthly summary covers: signed and not exited or terminated — today,
    or with ``on`` (a closed month's last day) on that day: signed by then and not exited
    or terminated by then (a project that left the reporting stages later still counts)."""
    qs = projects if projects is not None else Project.objects.all()
    qs = qs.filter(district=district)
    if on is None:
        return qs.filter(stage__in=REPORTING_STAGES)
    return qs.filter(
        Q(stage__in=REPORTING_STAGES) | Q(exited_on__gt=on) | Q(terminated_on__gt=on),
        signed_on__lte=on,
    )


def stage_on(day):
    """SQL: a project's stage on ``day`` — the last stage change recorded by then (its
    current stage when it has no recorded change, as hand-written records have)."""
    last = StageEvent.objects.filter(project=OuterRef("pk"), occurred_on__lte=day).order_by(
        "-occurred_on", "-id"
    )
    return Coalesce(Subquery(last.values("to_stage")[:1]), F("stage"), output_field=CharField())


def monthly_queryset(period: Period, district, projects=None):
    """Active projects annotated with the month's figures: ``light`` (the worst of its
    signals; for a closed month, its light on the month's last day from the daily scan's
    history), ``stage_then``, ``condition_then`` and ``investment_then`` (its stage, its
    condition and its total investment then), ``funds_in`` (funds in place by the month's
    end), ``month_investment`` (the month's report), ``cumulative`` and ``progress_text``
    (its latest report up to the month). A closed month covers the projects active on its
    last day."""
    closed = is_closed(period)
    on = period.end if closed else None
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
    return active_projects(district, projects, on).annotate(
        light=project_light_on(period.end) if closed else project_light(),
        stage_then=stage_on(period.end) if closed else F("stage"),
        condition_then=project_field_on(period.end, "condition", CharField())
        if closed
        else F("condition"),
        investment_then=(
            project_field_on(period.end, "total_investment", MONEY)
            if closed
            else F("total_investment")
        ),
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
    "investment": Coalesce(Sum("investment_then"), ZERO),
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
        row["stage_then"]: row
        for row in qs.order_by().values("stage_then").annotate(**GROUP_AGGREGATES)
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
            "stage_then",
            "condition_then",
            "light",
            "investment_then",
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
                    "Every signed project not exited or terminated at the month's end; the "
                    "light is the worst of its open items at the month's end (the daily "
                    "scan's record of that day; for the current month, today's); progress "
                    "is the month's report."
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
