"""The KPI charts (SPEC §12, the work plan's 挂图作战; issue 18 point 3): the figures behind each
chart of ``kpis:charts`` (and the trends the KPI page embeds), built on the chart contract of
``core.charts``. Every chart takes the projects the caller has scoped (``visible_to``) and
filtered exactly as the KPI page does, so each chart filters like its table.

- the funnel: ``projects.funnel`` (the projects at each stage today and those that reached
  it, the terminated and exited beside them; the year does not apply: a lead has no signing
  date). One grouped query; ``funnel_charts`` draws it with the investment by stage.
- ``monthly_amounts``: signed investment (the projects signed in each month, each at its
  total investment at the cut-off: ``services.investment_on``, as the KPI counts it) and funds
  in place (the funds received in each month by the projects, whatever year they were signed
  in: what the year's funds target counts, ``AnnualTargetQuerySet.with_progress``), for the
  year and for the year before (同比). Three grouped queries (by ``TruncMonth``), and two
  more when the cut-off falls within a month: its year on year compares with the same days
  of the year before (1–6 December 2025 for 1–6 December 2026), not with the whole month.
- ``targets_of``: the year's targets that apply to the filters — the district's own (or
  each district's own for a city user who picks none, when every district has set one),
  or the chosen working group's — with
  their progress (``with_progress``, one query). A target is of a whole district or working
  group: with a park, industry or level filter no target applies.
- ``kpi_trend``: the KPIs as of each month end of the year (``services.compute`` with that
  cut-off: five queries a month, whatever the number of projects).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core import charts, roles
from zhaoshang.core.charts import GREY, RED, SERIES, Chart, Table
from zhaoshang.kpis import services, snapshots
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.kpis.services import KPI_LABELS, RATE_NAMES, Period
from zhaoshang.projects import funnel
from zhaoshang.projects.models import FundsEntry, Project

ZERO = Decimal("0")
MONTHS = range(1, 13)
# The filters the project registry understands (projects/views/registry.py).
REGISTRY_FILTERS = ("park", "industry", "level", "working_group")
# With one of these, no target applies (targets are of a district or a working group).
NARROWING = ("park", "industry", "level")


def month_label(month: int, end: datetime.date | None = None) -> str:
    """ "M3" (3月); the month the cut-off falls in before its last day is labelled with the
    day it is counted to ("M12 (to day 6)", 12月（至6日）)."""
    if end is not None and end.day != calendar.monthrange(end.year, end.month)[1]:
        return _("M%(month)s (to day %(day)s)") % {"month": month, "day": end.day}
    return _("M%(month)s") % {"month": month}


def month_axis(option: dict) -> dict:
    """Every month labelled on the category axis (ECharts skips every other one on a half-
    width chart; overlapping ones are still hidden on a phone), a month counted in part on
    two lines ("12月" over "（至6日）")."""
    axis = option["xAxis"]
    axis["data"] = [label.replace("（", "\n（").replace(" (", "\n(") for label in axis["data"]]
    axis["axisLabel"] = {**axis.get("axisLabel", {}), "interval": 0}
    return option


def partial_month(period: Period) -> datetime.date | None:
    """The cut-off when it falls before the last day of its month (a month counted in
    part), else None."""
    cut = period.cutoff
    last = calendar.monthrange(cut.year, cut.month)[1]
    return cut if cut.year == period.year and cut.day != last else None


def same_day_last_year(day: datetime.date) -> datetime.date:
    """The same day a year before (28 February for the 29th)."""
    last = calendar.monthrange(day.year - 1, day.month)[1]
    return day.replace(year=day.year - 1, day=min(day.day, last))


def month_ends(period: Period) -> list[datetime.date | None]:
    """The cut-off of each month of the period's year: its last day, or the period's cut-off
    in the month it falls in; None for the months after it."""
    out = []
    for month in MONTHS:
        first = datetime.date(period.year, month, 1)
        last = first.replace(day=calendar.monthrange(period.year, month)[1])
        out.append(None if first > period.cutoff else min(last, period.cutoff))
    return out


def share(new, old) -> Decimal | None:
    """同比: the change from ``old`` to ``new`` in percent (one decimal); None without a
    positive base (a month whose corrections outweigh its funds has no meaningful 同比)."""
    if new is None or old is None or old <= 0:
        return None
    return ((Decimal(new) - Decimal(old)) / Decimal(old) * 100).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


def _amount(value) -> str:
    from zhaoshang.core.templatetags.zs import wan

    return wan(value)


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


# ---------------------------------------------------------------------------------------
# The figures


def _by_month(queryset, date_field: str, value_field: str) -> dict[tuple[int, int], Decimal]:
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(total=Sum(value_field))
    )
    return {(row["month"].year, row["month"].month): row["total"] or ZERO for row in rows}


def _signed_by_month(projects, year: int, cutoff: datetime.date) -> dict:
    signed = Project.objects.filter(
        pk__in=projects.order_by().values("pk"),
        signed_on__gte=datetime.date(year, 1, 1),
        signed_on__lte=cutoff,
    ).annotate(investment_then=services.investment_on(cutoff))
    return _by_month(signed, "signed_on", "investment_then")


@dataclass
class Series:
    """One amount by month of the year and of the year before (None: after the cut-off).
    ``base`` is the year before as year on year compares with it: its months, but the
    month counted in part (the cut-off's) only to the same day (``base_to``)."""

    this: list
    last: list
    base: list = field(default_factory=list)
    base_to: datetime.date | None = None

    def __post_init__(self) -> None:
        self.base = self.base or list(self.last)

    @property
    def base_cumulative(self) -> list:
        return _cumulative(self.base)

    @property
    def this_cumulative(self) -> list:
        return _cumulative(self.this)

    @property
    def last_cumulative(self) -> list:
        return _cumulative(self.last)


def _cumulative(values: list) -> list:
    out, total = [], ZERO
    for value in values:
        if value is None:
            out.append(None)
            continue
        total += value
        out.append(total)
    return out


def monthly_amounts(projects, period: Period) -> dict[str, Series]:
    """{"signed_investment": Series, "funds_in_place": Series} of the period's year."""
    year, ends = period.year, month_ends(period)
    before = Period.of(year - 1, period.cutoff)  # the year before, closed (or to the cut-off)
    signed_now = _signed_by_month(projects, year, period.cutoff)
    signed_then = _signed_by_month(projects, year - 1, before.cutoff)
    funds = _by_month(
        FundsEntry.objects.filter(
            project__in=projects.order_by().values("pk"),
            received_on__gte=before.start,
            received_on__lte=period.cutoff,
        ),
        "received_on",
        "amount",
    )

    # Year on year of a month counted in part compares with the same days a year before.
    partial = partial_month(period)
    base_to = same_day_last_year(partial) if partial else None
    signed_base = funds_base = None
    if base_to is not None:
        first = base_to.replace(day=1)
        signed_base = (
            Project.objects.filter(
                pk__in=projects.order_by().values("pk"),
                signed_on__gte=first,
                signed_on__lte=base_to,
            )
            .annotate(investment_then=services.investment_on(before.cutoff))
            .aggregate(total=Sum("investment_then"))["total"]
            or ZERO
        )
        funds_base = (
            FundsEntry.objects.filter(
                project__in=projects.order_by().values("pk"),
                received_on__gte=first,
                received_on__lte=base_to,
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )

    def series(found: dict, base_value) -> Series:
        last = [found.get((year - 1, m), ZERO) for m in MONTHS]
        base = list(last)
        if base_to is not None:
            base[base_to.month - 1] = base_value
        return Series(
            this=[found.get((year, m), ZERO) if ends[m - 1] else None for m in MONTHS],
            last=last,
            base=base,
            base_to=base_to,
        )

    return {
        "signed_investment": series({**signed_now, **signed_then}, signed_base),
        "funds_in_place": series(funds, funds_base),
    }


@dataclass
class Targets:
    """The targets that apply to the filters, summed (None: no target applies), and why."""

    records: list = field(default_factory=list)
    reason: str = ""

    @property
    def applies(self) -> bool:
        return bool(self.records)

    def total(self, name: str) -> Decimal | None:
        if not self.records:
            return None
        return sum((getattr(t, name) for t in self.records), ZERO)

    def tiers(self) -> list[dict]:
        """Per tier: its number, its minimum and upper bound (when every target has the
        same), the target count and the projects reached."""
        out = []
        for index, (n, minimum, _count) in enumerate(self.records[0].tiers):
            minima = {t.tiers[index][1] for t in self.records}
            uppers = {t.tiers[index - 1][1] for t in self.records} if index else set()
            out.append(
                {
                    "n": n,
                    "min": minimum if len(minima) == 1 else None,
                    "below": uppers.pop() if len(uppers) == 1 else None,
                    "same": len(minima) == 1 and len(uppers) <= 1,
                    "target": sum(t.tiers[index][2] for t in self.records),
                    "done": sum(getattr(t, f"tier{n}_done") for t in self.records),
                }
            )
        return out


def targets_of(user, filters: dict, period: Period) -> Targets:
    """The year's targets for the filters, with their progress at the cut-off."""
    if any(filters.get(name) for name in NARROWING):
        return Targets(
            reason=_(
                "Targets are set for a district or a working group: with a park, industry "
                "or level filter no target applies."
            )
        )
    targets = AnnualTarget.objects.visible_to(user).filter(year=period.year)
    if filters.get("working_group"):
        targets = targets.filter(working_group=filters["working_group"])
    else:
        targets = targets.filter(working_group=None, department=None)
    if filters.get("district"):
        targets = targets.filter(district=filters["district"])
    records = list(targets.with_progress(period.cutoff).order_by("district_id", "id"))
    reason = "" if records else _("No target is set for %(year)s.") % {"year": period.year}
    if records and not filters.get("district") and not filters.get("working_group"):
        # A city user over every district: their targets summed stand for the city's only
        # when every district has set one (else the line would sit below the city's).
        from zhaoshang.org.models import District

        missing = District.objects.exclude(pk__in={t.district_id for t in records})
        if roles.sees_all_districts(user) and missing.exists():
            return Targets(
                reason=_(
                    "Not every district has set its targets for %(year)s: choose a district "
                    "to see it against its own."
                )
                % {"year": period.year}
            )
    return Targets(records, reason)


def kpi_trend(
    projects, period_args: dict, user=None, filters: dict | None = None
) -> list[tuple[int, datetime.date, object]]:
    """(month, cut-off, Kpis) for each month of the year up to its cut-off; with the
    ``user`` and the ``filters`` behind ``projects``, from the KPI snapshots when they can
    answer (``kpis.snapshots``)."""
    period = Period.of(period_args["year"], None, period_args.get("since"))
    months = [(m, end) for m, end in zip(MONTHS, month_ends(period), strict=True) if end]
    ends = [end for _m, end in months]
    if user is None:
        figures = [services.compute(projects, as_of=end, **period_args) for end in ends]
    else:
        figures = snapshots.compute_at(
            user, projects, filters or {}, period_args["year"], ends, period_args.get("since")
        )
    return [(m, end, kpis) for (m, end), kpis in zip(months, figures, strict=True)]


# ---------------------------------------------------------------------------------------
# The charts


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def registry_url(stage: str, filters: dict) -> str:
    """The project registry at a stage, with the filters it has (not the district)."""
    base = {k: getattr(v, "pk", v) for k, v in filters.items() if k in REGISTRY_FILTERS}
    return _url("projects:list", {"stage": stage, **base})


def exits(figures: funnel.Funnel, filters: dict) -> list[dict]:
    """The terminated and exited projects (beside the funnel)."""
    return [
        {
            "stage": f.stage,
            "label": f.label,
            "count": f.count,
            "amount": f.amount,
            "url": registry_url(f.stage, filters),
        }
        for f in figures.exits
    ]


def funnel_charts(figures: funnel.Funnel, filters: dict) -> list[Chart]:
    """The funnel of the projects by stage (``projects.funnel``: its width the projects that
    reached each stage) and their investment by stage, each stage opening the registry at
    that stage (with the filters the registry has)."""

    def url(stage: str) -> str:
        return registry_url(stage, filters)

    counts = funnel.chart(figures, url, key="funnel", title=_("Projects by stage"))
    stages = list(figures.stages.values())
    amounts = charts.bar_line(
        [f.label for f in stages],
        [
            {
                "name": _("Total investment (10k yuan)"),
                "data": [
                    {
                        "value": f.amount,
                        "url": url(f.stage),
                        **({"itemStyle": {"color": GREY}} if f.reached is None else {}),
                    }
                    for f in stages
                ],
            },
            {
                "name": _("Projects"),
                "data": [{"value": f.count, "url": url(f.stage)} for f in stages],
            },
        ],
        horizontal=True,
    )
    _second_axis(amounts, [1], axis="xAxis")
    return [
        counts,
        Chart("stage-amounts", _("Investment and projects by stage"), amounts, counts.table, 420),
    ]


def _second_axis(option: dict, indexes: list[int], *, axis: str = "yAxis", percent=False):
    """Put the series at ``indexes`` on a second value axis (another unit)."""
    second: dict = {"type": "value", "splitLine": {"show": False}}
    if percent:
        second["axisLabel"] = {"formatter": "{value}%"}
    option[axis] = [option[axis], second]
    for i in indexes:
        option["series"][i][f"{axis}Index"] = 1


def pro_rata(target, period: Period) -> list | None:
    """序时进度: the year's target × the months elapsed ÷ 12 at each month end; the month
    counted in part (the cut-off's) at its share of days (target × (m − 1 + day ÷ days of
    the month) ÷ 12), the months after the cut-off at their ends (the plan)."""
    if target is None:
        return None
    partial = partial_month(period)
    out = []
    for m in MONTHS:
        elapsed = Decimal(m)
        if partial is not None and m == partial.month:
            days = calendar.monthrange(partial.year, m)[1]
            elapsed = Decimal(m - 1) + Decimal(partial.day) / Decimal(days)
        out.append((target * elapsed / 12).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return out


def amount_chart(key: str, title: str, series: Series, target, period: Period, drill=None) -> Chart:
    """Monthly bars and cumulative lines of the year and of the year before, against the
    year's target pro rata (``pro_rata``). ``drill(year, cut-off, month=…)``, when given, is
    the page of the rows behind a point: a month's bar (``month=True``: e.g. the projects
    signed in the month) or a cumulative point (those signed in the year by the month's
    end); None: the point opens nothing. Year on
    year of the month the cut-off falls in compares with the same days a year before
    (``Series.base``); the chart's note says so."""
    ends = {
        period.year: month_ends(period),
        period.year - 1: month_ends(Period.of(period.year - 1, period.cutoff)),
    }
    categories = [month_label(m, end) for m, end in zip(MONTHS, ends[period.year], strict=True)]

    def linked(values: list, year: int, month: bool) -> list:
        if drill is None:
            return values
        out = []
        for v, end in zip(values, ends[year], strict=True):
            url = None if v is None or end is None else drill(year, end, month=month)
            out.append({"value": v, "url": url} if url else v)
        return out

    planned = pro_rata(target, period)
    this_year, last_year = str(period.year), str(period.year - 1)
    now, before = series.this_cumulative, series.last_cumulative
    base, base_cumulative = series.base, series.base_cumulative
    lines = [
        {
            "name": _("%(year)s by month") % {"year": this_year},
            "data": linked(series.this, period.year, True),
        },
        {
            "name": _("%(year)s by month") % {"year": last_year},
            "data": linked(series.last, period.year - 1, True),
            "color": GREY,
        },
        {
            "name": _("%(year)s cumulative") % {"year": this_year},
            "type": "line",
            "data": linked(now, period.year, False),
            "color": SERIES[2],
        },
        {
            "name": _("%(year)s cumulative") % {"year": last_year},
            "type": "line",
            "data": linked(before, period.year - 1, False),
            "color": SERIES[6],
            "dashed": True,
        },
    ]
    if planned:
        lines.append(
            {
                "name": _("Target pro rata"),
                "type": "line",
                "data": planned,
                "color": RED,
                "dashed": True,
            }
        )
    option = month_axis(charts.bar_line(categories, lines))
    _second_axis(option, list(range(2, len(lines))))
    table = Table(
        [
            _("Month"),
            this_year,
            last_year,
            _("Year on year"),
            _("%(year)s cumulative") % {"year": this_year},
            _("%(year)s cumulative") % {"year": last_year},
            _("Cumulative year on year"),
            _("Target pro rata"),
        ]
    )
    for i in range(len(MONTHS)):
        end = ends[period.year][i]
        table.add(
            categories[i],
            _amount(series.this[i]) if series.this[i] is not None else "—",
            _amount(series.last[i]),
            _pct(share(series.this[i], base[i])),
            _amount(now[i]) if now[i] is not None else "—",
            _amount(before[i]),
            _pct(share(now[i], base_cumulative[i])),
            _amount(planned[i]) if planned else "—",
            url=drill(period.year, end, month=True) if drill and end else None,
        )
    note = ""
    if series.base_to is not None:
        month = series.base_to.month
        note = _(
            "%(month)s is counted to %(cut)s: its year on year compares with %(first)s to "
            "%(last)s (%(value)s), its cumulative with %(total)s."
        ) % {
            "month": categories[month - 1],
            "cut": period.cutoff.isoformat(),
            "first": series.base_to.replace(day=1).isoformat(),
            "last": series.base_to.isoformat(),
            "value": _amount(base[month - 1]),
            "total": _amount(base_cumulative[month - 1]),
        }
    return Chart(key, title, option, table, height=360, note=note)


def tier_chart(targets: Targets, drill_query) -> Chart | None:
    """The "369" tiers: per tier, the projects reached against the target count; a bar
    opens the projects of the tier (``kpis:drill`` with the tier's band). Districts whose
    tiers differ (a city user over several) have no one band: their bars open nothing."""
    if not targets.applies:
        return None
    tiers = targets.tiers()
    categories, reached, wanted = [], [], []
    table = Table([_("Tier"), _("Minimum investment (10k yuan)"), _("Target"), _("Reached")])
    for tier in tiers:
        label = _("Tier %(n)s") % {"n": tier["n"]}
        url = None
        if tier["same"] and tier["min"] is not None:
            band = {"kpi": "signed_count", "part": "numerator", "tier_min": tier["min"]}
            if tier["below"] is not None:
                band["tier_below"] = tier["below"]
            url = f"{reverse('kpis:drill')}?{drill_query(**band)}"
        categories.append(label)
        wanted.append(tier["target"])
        reached.append({"value": tier["done"], "url": url} if url else tier["done"])
        minimum = _amount(tier["min"]) if tier["min"] is not None else "—"
        table.add(label, minimum, tier["target"], tier["done"], url=url)
    option = charts.bar_line(
        categories,
        [
            {"name": _("Target"), "data": wanted, "color": GREY, "label": True},
            {"name": _("Reached"), "data": reached, "color": SERIES[0], "label": True},
        ],
    )
    return Chart("tiers", _("The “369” tiers: projects reached against the target"), option, table)


def trend_charts(trend: list, drill_query) -> list[Chart]:
    """The KPIs as of each month end: the two totals as bars, the rates as % lines; a point
    opens the projects behind it at that cut-off. None before the year begins."""
    if not trend:
        return []
    categories = [month_label(m, end) for m, end, _k in trend]

    def url(kpi: str, end) -> str:
        return f"{reverse('kpis:drill')}?{drill_query(kpi=kpi, part='numerator', as_of=end)}"

    def points(name: str, scale=1) -> list:
        out = []
        for _m, end, kpis in trend:
            value = getattr(kpis, name)
            out.append({"value": None if value is None else value * scale, "url": url(name, end)})
        return out

    totals = month_axis(
        charts.bar_line(
            categories,
            [
                {"name": KPI_LABELS["signed_count"], "data": points("signed_count")},
                {"name": KPI_LABELS["signed_investment"], "data": points("signed_investment")},
            ],
        )
    )
    _second_axis(totals, [1])
    table = Table([_("Month"), _("Cut-off"), *[str(KPI_LABELS[k]) for k in KPI_LABELS]])
    for (_month, end, kpis), label in zip(trend, categories, strict=True):
        cells = [label, end.isoformat()]
        for name in KPI_LABELS:
            value = getattr(kpis, name)
            if name in RATE_NAMES:
                cells.append(
                    _pct(None if value is None else (value * 100).quantize(Decimal("0.1")))
                )
            elif name == "signed_investment":
                cells.append(_amount(value))
            else:
                cells.append(value)
        table.add(*cells, url=url("signed_count", end))
    rates = month_axis(
        charts.bar_line(
            categories,
            [
                {"name": KPI_LABELS[name], "type": "line", "data": points(name, 100)}
                for name in RATE_NAMES
            ],
            percent=True,
        )
    )
    highest = max(
        (p["value"] for s in rates["series"] for p in s["data"] if p["value"] is not None),
        default=0,
    )
    if highest > 100:
        del rates["yAxis"]["max"]  # the funds rate can pass 100 %
    return [
        Chart(
            "trend-totals", _("Signed projects and investment as of each month end"), totals, table
        ),
        Chart("trend-rates", _("Rates as of each month end"), rates, table),
    ]
