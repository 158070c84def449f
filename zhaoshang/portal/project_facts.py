"""What the service hall shows of an enterprise's own projects (its pages and its API read
the same functions): the projects with their funds in place and light, why each is lit,
the stage line with its dates and the evidence the enterprise may see, the service team
and the leader in charge.

The light is monitoring's: ``monitoring.lights.project_light`` (the worst of the
project's signals, as the staff monitoring tab and the lights board show it), and the
reasons are those signals, worst first — never recomputed here.

Which documents of the project's library the enterprise sees (a decision of the service
hall): the versions its own contacts uploaded, and the stage evidence of the kinds
exchanged with the enterprise from signing on (the agreement, business licence, land
contract and red-line map, permits and contracts, site photos, acceptances, trial
production and capacity records, a clearance decision). The government's internal
papers — the pre-review opinions (产业规划/环评/用地预审意见) and any other material
staff file — stay internal."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from django.db.models import Prefetch, Q

from zhaoshang.core import statements
from zhaoshang.monitoring.lights import project_light
from zhaoshang.monitoring.models import Signal
from zhaoshang.portal.access import own_projects
from zhaoshang.projects.choices import (
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Stage,
    TeamRole,
)
from zhaoshang.projects.leaders import leaders_in_charge
from zhaoshang.projects.models import DocumentVersion, ProjectTeamMember, StageEvent

# Stage evidence exchanged with the enterprise: that of signing and every later stage.
SHARED_STAGES = (*STAGE_ORDER[STAGE_INDEX[Stage.SIGNED] :], Stage.EXITED)
SHARED_MATERIALS = frozenset(code for s in SHARED_STAGES for code in STAGE_EVIDENCE[s])

TEAM_ORDER = {
    TeamRole.MANAGER: 0,
    TeamRole.SECRETARY: 1,
    TeamRole.SERVICE_OFFICER: 2,
    TeamRole.LEADING_GROUP: 3,
}


def project_rows(user):
    """The contact's enterprise's projects, each with its funds in place and its light."""
    return own_projects(user).with_list_data().annotate(light=project_light()).order_by("-id")


def project_list(user) -> list:
    """``project_rows(user)`` read, its statement compiled once (``core.statements``)."""
    return statements.rows(
        "portal.project_rows",
        lambda enterprise_id: project_rows(SimpleNamespace(enterprise_id=enterprise_id)),
        user.enterprise_id,
    )


def light_reasons(project_ids) -> dict[int, list]:
    """{project id: its signals (yellow and red items), worst first} — one query, its
    statement compiled once per number of projects (``core.statements``)."""
    out = defaultdict(list)
    qs = statements.rows(
        "portal.light_reasons",
        lambda ids: (
            Signal.objects.filter(project_id__in=ids).select_related("department").worst_first()
        ),
        list(project_ids),
    )
    for signal in qs:
        out[signal.project_id].append(signal)
    return out


def visible_versions_q(user, prefix: str = "") -> Q:
    """SQL: a document version the contact's enterprise may see (see the module's note)."""
    return Q(**{f"{prefix}uploaded_by__enterprise_id": user.enterprise_id}) | Q(
        **{f"{prefix}document__material_type__code__in": SHARED_MATERIALS}
    )


def visible_versions(user, project):
    """The project's library versions the enterprise may see, newest first."""
    return (
        DocumentVersion.objects.filter(document__project=project)
        .filter(visible_versions_q(user))
        .select_related("document__material_type")
        .order_by("-uploaded_at", "-id")
    )


def stage_events(user, project) -> list:
    """The project's stage changes, oldest first, each with the evidence the enterprise may
    see (``shown_evidence``) — two queries."""
    evidence = (
        DocumentVersion.objects.filter(visible_versions_q(user))
        .select_related("document__material_type")
        .order_by("document__material_type__sort_order", "id")
    )
    return list(
        StageEvent.objects.filter(project=project)
        .prefetch_related(Prefetch("evidence", queryset=evidence, to_attr="shown_evidence"))
        .order_by("occurred_on", "id")
    )


def stage_line(project) -> list[dict]:
    """The main line of stages: each one's label, state (done, current, to come) and the
    date the project reached it; an exit stage is added when the project left the line."""
    steps = []
    for s in STAGE_ORDER:
        index = STAGE_INDEX[s]
        if project.stage == s:
            state = "current"
        elif index < project.stage_index:
            state = "done"
        else:
            state = ""
        field = STAGE_DATE_FIELDS.get(s)
        steps.append(
            {
                "stage": s,
                "label": Stage(s).label,
                "state": state,
                "date": getattr(project, field) if field else None,
            }
        )
    if project.stage in (Stage.TERMINATED, Stage.EXITED):
        steps.append(
            {
                "stage": project.stage,
                "label": Stage(project.stage).label,
                "state": "current",
                "date": getattr(project, STAGE_DATE_FIELDS[project.stage]),
            }
        )
    return steps


def service_team(project) -> list:
    """The project's team (manager, secretary, service officer, leading group), active
    people only, with their phone numbers."""
    members = list(
        ProjectTeamMember.objects.filter(project=project, user__is_active=True).select_related(
            "user__department"
        )
    )
    return sorted(members, key=lambda m: (TEAM_ORDER.get(m.role, 9), m.pk))


def leaders(project_ids) -> dict:
    """{project id: the leader in charge (``projects.leaders``) or None}."""
    return leaders_in_charge(project_ids)
