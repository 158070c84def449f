"""The parts of the home page around the roles' sections: the projects I serve with their
lights, the projects needing attention and the recent activity — each a few rows read off
an index in the order shown, whatever the district's size (issue 19.3)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef

from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.projects.choices import Condition
from zhaoshang.projects.models import Project
from zhaoshang.projects.querysets import served_by, served_keys

MY_PROJECTS_SHOWN = 12
ATTENTION_SHOWN = 8
EVENTS_SHOWN = 10
# Up to this many projects served, a person's green projects are read from those they
# serve; beyond, from the district's in the order shown (they are soon found).
FEW = 200
# A project's light is the worst of its signals (``monitoring.lights.project_light``).
WORST_FIRST = (Light.RED, Light.YELLOW)


def my_projects(user, projects, signals, shown: int = MY_PROJECTS_SHOWN) -> list:
    """The first ``shown`` of ``projects`` (the user's visible projects, a queryset) that
    ``user`` serves (``projects.querysets.served_by``; None: every one, a park's), each
    with its ``light``: the red ones first, then the yellow, then the green, each colour the
    latest updated first — the order of ``project_light``, then ``-updated_at, -id``.
    ``signals``: the district's lights (every light of a project is in its district).

    A colour at a time, each read off an index rather than the light of every project
    worked out to sort them: the red and the yellow projects from the district's lit ones
    (a list of keys, each project looked up by its key and checked), the green ones by
    reading the projects in the order shown until the page is full — or, for a person who
    serves only a few (``FEW``), from the few they serve."""
    lit = signals.filter(project__isnull=False).order_by()
    model = projects.model
    visible = Exists(projects.filter(pk=OuterRef("pk")))
    served = None if user is None else served_by(user)
    found: list = []
    worse: tuple = ()
    for light in (*WORST_FIRST, Light.GREEN):
        if light != Light.GREEN:
            keys = lit.filter(light=light).values("project_id")
            rows = model.objects.filter(pk__in=keys).filter(visible)
        elif served is not None and _serves_few(model, user):
            rows = model.objects.filter(served_keys(user)).filter(visible)
        else:
            rows = projects
        if served is not None:
            rows = rows.filter(served)
        if worse:
            rows = rows.exclude(pk__in=lit.filter(light__in=worse).values("project_id"))
        worse = (*worse, light)
        rows = rows.select_related("park").order_by("-updated_at", "-id")
        rows = list(rows[: shown - len(found)])
        for project in rows:
            project.light = light
        found += rows
        if len(found) >= shown:
            break
    return found


def _serves_few(model, user) -> bool:
    """Whether ``user`` serves at most ``FEW`` projects (of any district): one count that
    stops there, off the team's, designated leader's and pairings' indexes."""
    return model.objects.filter(served_keys(user))[: FEW + 1].count() <= FEW


def attention(projects) -> list:
    """The delayed or stopped projects, the latest updated first."""
    return list(
        projects.exclude(condition=Condition.NORMAL)
        .select_related("park", "enterprise")
        .order_by("-updated_at")[:ATTENTION_SHOWN]
    )


def recent_events(user) -> list:
    """The latest events about a project the user sees (not e.g. an import, whose subject
    is the district), each with its ``project_name``: off the events' index on district,
    kind of record and time (``event_district_recent``, ``event_recent`` for the city)."""
    events = list(
        DomainEvent.objects.visible_to(user)
        .filter(
            content_type_id=ContentType.objects.get_for_model(Project).pk,
            verb__startswith="project.",
        )
        .exclude(verb="project.deleted")
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:EVENTS_SHOWN]
    )
    names = dict(
        Project.objects.filter(pk__in={e.object_id for e in events}).values_list("pk", "name")
    )
    for event in events:
        event.project_name = names.get(event.object_id, "")
    return events
