"""The investment promotion bureau's home: the registry's funnel (projects and amounts by
stage, each stage opening the registry on it) and this month's changes — the projects
signed, moved to another stage and started this month, and the red lights lit this month,
each a count of the list its link opens — with this month's stage moves."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from zhaoshang.core import charts, clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard import tallies
from zhaoshang.dashboard.homes import (
    Figure,
    Section,
    district_aggregate,
    district_rows,
    grouped,
    list_url,
    tiles,
)
from zhaoshang.dashboard.homes.figures import of_visible_projects, signal_figures
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.projects import funnel
from zhaoshang.projects.forms import ProjectFilterForm
from zhaoshang.projects.models import Project, StageEvent
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
    user = request.user
    return funnel.chart(
        # The registry's projects, unfiltered: from the district's stored tallies.
        tallies.stage_funnel(tallies.of_user(user), Project.objects.visible_to(user)),
        _stage_url,
        key="home-funnel",
        title=_("Projects and total investment by stage"),
        height=440,
    )


def _stage_url(stage: str) -> str:
    return list_url("projects:list", {"stage": stage})


def declared(request) -> list[Figure]:
    changed = ProjectFilterForm
    registry = "projects:list"
    return [
        Figure("signed", registry, _projects, {"changed": changed.SIGNED}, _("Signed this month")),
        Figure(
            "moved",
            registry,
            _projects,
            {"changed": changed.MOVED},
            _("Moved to another stage this month"),
        ),
        Figure(
            "started", registry, _projects, {"changed": changed.STARTED}, _("Started this month")
        ),
        Figure(
            "red_this_month",
            "monitoring:board",
            filtered_signals,
            {"light": Light.RED, "this_month": "on"},
            _("Red lights lit this month"),
            "danger",
        ),
    ]


def figures(request) -> dict[str, int]:
    """The tiles' figures: the projects signed or started this month off the indexes on
    their dates (one query), those moved from this month's stage moves, and the red lights
    lit this month with the district's lights. (For whoever sees a whole district, the
    first two compiled once per process and day.)"""
    user, today = request.user, clock.today()
    month = (today.replace(day=1), today)

    def dated(projects):
        return projects.filter(Q(signed_on__range=month) | Q(started_on__range=month))

    counts = {
        "signed": Count("pk", filter=Q(signed_on__range=month)),
        "started": Count("pk", filter=Q(started_on__range=month)),
    }
    found = district_aggregate(
        ("bureau.dated", today),
        user,
        lambda district_id: grouped(
            dated(Project.objects.filter(district_id=district_id)), **counts
        ),
        counts,
        uses=(),
    )
    if found is None:
        found = dated(Project.objects.visible_to(user)).aggregate(**counts)
    moved = district_aggregate(
        ("bureau.moved", today),
        user,
        lambda district_id: grouped(
            _moved(Project.objects.filter(district_id=district_id), month), n=Count("pk")
        ),
        ["n"],
        uses=(),
    )
    if moved is None:
        moved = _moved(Project.objects.visible_to(user), month).aggregate(n=Count("pk"))
    return {
        "signed": found["signed"],
        "moved": moved["n"],
        "started": found["started"],
        "red_this_month": signal_figures(user, this_month=True)["red_this_month"],
    }


def _moved(projects, month):
    """The projects of ``projects`` moved to another stage within ``month`` (a range)."""
    moves = StageEvent.objects.filter(occurred_on__range=month).values("project_id")
    return Project.objects.filter(pk__in=moves).filter(Exists(projects.filter(pk=OuterRef("pk"))))


def _moves(events, month):
    return (
        events.filter(occurred_on__range=month)
        .select_related("project", "recorded_by")
        .order_by("-occurred_on", "-id")[:MOVES_SHOWN]
    )


def section(request) -> Section:
    today = clock.today()
    month = today.replace(day=1)
    found = tiles(declared(request), figures(request))

    def of_district(district_id):
        projects = Project.objects.filter(district_id=district_id, pk=OuterRef("project_id"))
        return _moves(StageEvent.objects.filter(Exists(projects)), (month, today))

    moves = district_rows(("bureau.moves", today), request.user, of_district, uses=())
    if moves is None:
        events = of_visible_projects(StageEvent.objects.all(), request.user)
        moves = list(_moves(events, (month, today)))
    return Section(
        "bureau",
        _("The registry this month (%(month)s)") % {"month": month.strftime("%Y-%m")},
        found,
        template="dashboard/homes/bureau.html",
        extra={
            "funnel": funnel_chart(request),
            "moves": moves,
            "moves_url": found[1].url,
        },
    )
