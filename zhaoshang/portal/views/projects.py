"""The enterprise portal (企业服务端): an enterprise user sees only its own projects.

This is the portal's first room; complaints, needs and ratings arrive with their issues.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from zhaoshang.core import roles
from zhaoshang.core.services import require
from zhaoshang.projects.choices import STAGE_INDEX, STAGE_ORDER, Stage
from zhaoshang.projects.models import Project, StageEvent


@login_required
def home(request):
    require(roles.is_enterprise(request.user))
    projects = Project.objects.visible_to(request.user).with_list_data().order_by("-id")
    return render(
        request,
        "portal/home.html",
        {"projects": projects, "enterprise": request.user.enterprise},
    )


@login_required
def project(request, pk):
    require(roles.is_enterprise(request.user))
    item = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("park", "industry"), pk=pk
    )
    events = StageEvent.objects.filter(project=item).order_by("occurred_on", "id")
    steps = [
        (
            Stage(s).label,
            "done" if STAGE_INDEX[s] < item.stage_index else ("current" if s == item.stage else ""),
        )
        for s in STAGE_ORDER
    ]
    team = item.team_members.select_related("user")
    return render(
        request,
        "portal/project.html",
        {"project": item, "events": events, "steps": steps, "team": team},
    )
