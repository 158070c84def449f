"""按月汇总: the monthly summary of the district's active projects, by park, industry and
stage, with every project's light, funds and progress."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    F,
    IntegerField,
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


def _filed_by(period: Period, queryset):
    """The history of monthly reports (``queryset``: ``MonthlyReport``'s own reports) as
    the closed month's summary reads them: the version of each report as it stood at the
    end of the summary's due day (the reports of a month are filed up to the 5th of the
    next one, the summary is due on the 6th), so a correction filed after that does not
    rewrite the month's summary; a report first filed later, as it was first filed."""
    history = MonthlyReport.history.model
    end = timezone.make_aware(
        datetime.datetime.combine(period.due_on + datetime.timedelta(days=1), datetime.time.min)
    )
    versions = history.objects.filter(**queryset).exclude(history_type="-")
    by_then = versions.filter(history_date__lt=end).order_by(
        "-month", "-history_date", "-history_id"
    )
    first = versions.order_by("-month", "history_date", "history_id")
    return Coalesce(
        Subquery(by_then.values("history_id")[:1]),
        Subquery(first.values("history_id")[:1]),
        output_field=IntegerField(),
    )


def _report_field(version: str, field: str, current, output_field):
    """SQL: ``field`` of the report version ``version`` (an annotation of ``_filed_by``),
    the current report's without one (a report written straight to the table)."""
    history = MonthlyReport.history.model
    then = history.objects.filter(history_id=OuterRef(version)).values(field)[:1]
    return Coalesce(
        Subquery(then, output_field=output_field),
        Subquery(current.values(field)[:1], output_field=output_field),
        output_field=output_field,
    )


def monthly_queryset(period: Period, district, projects=None):
    """Active projects annotated with the month's figures: ``light`` (the worst of its
    signals; for a closed month, its light on the month's last day from the daily scan's
    history), ``stage_then``, ``condition_then`` and ``investment_then`` (its stage, its
    condition and its total investment then), ``funds_in`` (funds in place by the month's
    end), ``month_investment`` (the month's report), ``cumulative`` and ``progress_text``
    (its latest report up to the month), ``corrected`` and ``correction_reason`` (the
    month's report is a correction, 更正, and why) and ``cumulative_before`` (the figure it
    went back from). A closed month covers the projects active on its last day, and reads
    the reports as filed by the summary's due day (``_filed_by``): a later correction of
    the month does not rewrite it."""
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
    report_fields = {
        "month_investment": ("investment_this_month", MONEY, this_month),
        "progress_then": ("image_progress", TextField(), this_month),
        "corrected": ("is_correction", BooleanField(), this_month),
        "correction_reason": ("correction_reason", TextField(), this_month),
        "cumulative_before": ("cumulative_before", MONEY, this_month),
        "cumulative_then": ("investment_cumulative", MONEY, latest),
    }
    qs = active_projects(district, projects, on)
    if closed:
        qs = qs.annotate(
            this_month_version=_filed_by(
                period, {"project": OuterRef("pk"), "month": period.start}
            ),
            latest_version=_filed_by(
                period, {"project": OuterRef("pk"), "month__lte": period.start}
            ),
        )
        reports = {
            name: _report_field(
                "latest_version" if current is latest else "this_month_version",
                field,
                current,
                output,
            )
            for name, (field, output, current) in report_fields.items()
        }
    else:
        reports = {
            name: Subquery(current.values(field)[:1], output_field=output)
            for name, (field, output, current) in report_fields.items()
        }
    return qs.annotate(
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
        month_investment=Coalesce(reports["month_investment"], ZERO),
        cumulative=Coalesce(reports["cumulative_then"], ZERO),
        progress_text=Coalesce(reports["progress_then"], Value(""), output_field=TextField()),
        corrected=Coalesce(reports["corrected"], Value(False), output_field=BooleanField()),
        correction_reason=Coalesce(
            reports["correction_reason"], Value(""), output_field=TextField()
        ),
        cumulative_before=reports["cumulative_before"],
    )


def correction_text(corrected: bool, reason: str, before) -> str:
    """The 更正 flag of a month's figures in the summary: the reason, and the cumulative
    investment the correction went back from."""
    if not corrected:
        return ""
    if before is None:
        return _("Corrected: %(reason)s") % {"reason": reason}
    return _("Corrected (cumulative before: %(before)s): %(reason)s") % {
        "reason": reason,
        "before": f"{money(before):.2f}",
    }


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
            "corrected",
            "correction_reason",
            "cumulative_before",
        )
    )
    for i, row in enumerate(rows.iterator(chunk_size=CHUNK), 1):
        (code, name, park, industry, stage, condition, light) = row[:7]
        (invest, funds, month, cum, text, corrected, reason, before) = row[7:]
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
                correction_text(corrected, reason, before),
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
                    "is the month's report. A corrected month shows the reason; a closed "
                    "month shows its reports as filed by the summary's due day, not a later "
                    "correction."
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
                    [_("Correction"), "text"],
                ],
                "rows": detail,
                "total": None,
                "detail": True,
            },
        ],
    }
