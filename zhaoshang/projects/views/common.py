"""What every project page shares: the visible project and the context of its tabs."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from zhaoshang.core import roles
from zhaoshang.projects import permissions
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_INDEX, STAGE_ORDER, Stage
from zhaoshang.projects.models import Project


def get_visible_project(request, pk) -> Project:
    """The project ``pk`` if the user may see it (404 otherwise), with what its header shows."""
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "enterprise", "industry", "park__zone", "working_group", "designated_leader", "district"
        ),
        pk=pk,
    )


def project_context(request, project: Project, tab: str, **extra) -> dict:
    """The context of a project tab: the header, the stage steps, the team and the rights."""
    user = request.user
    team = list(project.team_members.select_related("user__department"))
    project._team_user_ids = {m.user_id for m in team}
    steps = []
    for s in STAGE_ORDER:
        i = STAGE_INDEX[s]
        state = "done" if i < project.stage_index else ("current" if s == project.stage else "")
        steps.append((Stage(s).label, state))
    context = {
        "project": project,
        "tab": tab,
        "team": team,
        "steps": steps,
        "can_edit": roles.can_edit_registry(user, project.district_id),
        "can_record": permissions.can_record_service(user, project),
        "can_manage_team": permissions.can_manage_team(user, project),
        "is_exit": project.stage in EXIT_STAGES,
    }
    context.update(extra)
    return context
