"""The investment promotion bureau's home: the registry's funnel (projects and amounts by
stage, each stage opening the registry on it) and this month's changes — the projects
signed, moved to another stage and started this month, and the red lights lit this month,
each a count of the list its link opens — with this month's stage moves."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.core import charts, clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Section, counted, list_url, listed_rows
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.projects import funnel
from zhaoshang.projects.forms import ProjectFilterForm
from zhaoshang.projects.models import StageEvent
from zhaoshang.projects.views.registry import filtered_projects

MOVES_SHOWN = 8


def _projects(request):
    form, qs, _sort = filtered_projects(request)
    return form, qs


def funnel_chart(request) -> charts.Chart:
    """The registry by stage (``projects.funnel``): the funnel narrows with the projects that
    reached each stage, each label gives the stage's own projects and investment; each stage
    (and each row of the table) opens the registry on that stage, whose rows are those
    counted here (the registry's own filter)."""
    return funnel.chart(
        funnel.figures(listed_rows(request, _projects, {})),
        _stage_url,
        key="home-funnel",
        title=_("Projects and total investment by stage"),
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
