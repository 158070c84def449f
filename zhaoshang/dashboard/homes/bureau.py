"""The investment promotion bureau's home: the registry's funnel (projects and amounts by
stage, each stage opening the registry on it) and this month's changes — the projects
signed, moved to another stage and started this month, and the red lights lit this month,
each a count of the list its link opens — with this month's stage moves."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from zhaoshang.core import charts, clock
from zhaoshang.core.lights import Light
from zhaoshang.core.templatetags.zs import wan
from zhaoshang.dashboard.homes import Section, counted, list_url, listed_rows
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_ORDER, Stage
from zhaoshang.projects.forms import ProjectFilterForm
from zhaoshang.projects.models import StageEvent
from zhaoshang.projects.views.registry import filtered_projects

MOVES_SHOWN = 8


def _projects(request):
    form, qs, _sort = filtered_projects(request)
    return form, qs


def _wan(amount) -> str:
    return wan(amount or 0, 0)


def _yi(amount) -> str:
    """万元 as 亿元, one decimal: short enough for a funnel's label."""
    return f"{charts.plain(amount or 0) / 10000:,.1f}"


def funnel_chart(request) -> charts.Chart:
    """The registry by stage: the funnel's width is the number of projects, its label says
    the total investment too; each stage (and each row of the table) opens the registry on
    that stage, whose rows are those counted here (the registry's own filter)."""
    rows = (
        listed_rows(request, _projects, {})
        .order_by()
        .values_list("stage")
        .annotate(n=Count("pk"), amount=Sum("total_investment"))
    )
    figures = {stage: (n, amount) for stage, n, amount in rows}
    table = charts.Table([_("Stage"), _("Projects"), _("Total investment (10k yuan)")])
    for stage in [*STAGE_ORDER, *EXIT_STAGES]:
        n, amount = figures.get(stage, (0, None))
        table.add(Stage(stage).label, n, _wan(amount), url=_stage_url(stage))
    option = charts.funnel(
        [
            {
                "name": Stage(stage).label,
                "value": figures.get(stage, (0, None))[0],
                "url": _stage_url(stage),
            }
            for stage in STAGE_ORDER
        ],
        name=_("Projects"),
    )
    series = option["series"][0]
    # Wide enough at the narrowest for its two lines (count, amount), on a phone too.
    series.update(left="2%", right="2%", minSize="34%", gap=1)
    for stage, item in zip(STAGE_ORDER, series["data"], strict=True):
        n, amount = figures.get(stage, (0, None))
        item["label"] = {
            "formatter": f"{item['name']} {n}\n"
            + _("%(amount)s (100m yuan)") % {"amount": _yi(amount)},
            "lineHeight": 15,
        }
    return charts.Chart(
        key="home-funnel",
        title=_("Projects and total investment by stage"),
        option=option,
        table=table,
        height=440,
    )


def _stage_url(stage: str) -> str:
    return list_url("projects:list", {"stage": stage})


def section(request) -> Section:
    today = clock.today()
    month = today.replace(day=1)
    changed = ProjectFilterForm
    tiles = [
        counted(
            request,
            "projects:list",
            _projects,
            {"changed": changed.SIGNED},
            _("Signed this month"),
        ),
        counted(
            request,
            "projects:list",
            _projects,
            {"changed": changed.MOVED},
            _("Moved to another stage this month"),
        ),
        counted(
            request,
            "projects:list",
            _projects,
            {"changed": changed.STARTED},
            _("Started this month"),
        ),
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            {"light": Light.RED, "this_month": "on"},
            _("Red lights lit this month"),
            "danger",
        ),
    ]
    moves = list(
        StageEvent.objects.visible_to(request.user)
        .filter(occurred_on__range=(month, today))
        .select_related("project", "recorded_by")
        .order_by("-occurred_on", "-id")[:MOVES_SHOWN]
    )
    return Section(
        "bureau",
        _("The registry this month (%(month)s)") % {"month": month.strftime("%Y-%m")},
        tiles,
        template="dashboard/homes/bureau.html",
        extra={
            "funnel": funnel_chart(request),
            "moves": moves,
            "moves_url": tiles[1].url,
        },
    )
