"""The parts of the home page around the roles' sections: the projects I serve with their
lights, the projects needing attention and the recent activity — each a few rows read off
an index in the order shown, whatever the district's size (issue 19.3)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)

from zhaoshang.core import statements
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.parts import LiteralIn
from zhaoshang.dashboard.homes import district_rows, projects_rows
from zhaoshang.monitoring.worst import LIGHT_OF_LEVEL
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.choices import NEEDS_ATTENTION
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.projects.querysets import served_by, served_keys

MY_PROJECTS_SHOWN = 12
ATTENTION_SHOWN = 8
EVENTS_SHOWN = 10
UNREAD_SHOWN = 5
# Up to this many projects served, a person's projects are read from those they serve;
# beyond, from the district's in the order shown (they are soon found), each checked as
# served: against the lists of the keys they serve (read once: a few ms for ten thousand)
# up to MANY, and beyond it on the project's own key (three probes per project walked,
# ~4 µs on SQLite: with so many served, few are walked before the card is full — the lists
# win where those served are all green and the walk must first cross every lit project).
FEW = 200
MANY = 10000


def my_projects(user, projects, shown: int = MY_PROJECTS_SHOWN, viewer=None) -> list:
    """The first ``shown`` of ``projects`` (the user's visible projects, a queryset) that
    ``user`` serves (``projects.querysets.served_keys``; None: every one, a park's), each
    with its ``light``: the red ones first, then the yellow, then the green, each colour the
    latest updated first — the order of ``project_light``, then ``-updated_at, -id``.

    Read off the stored light (``Project.light_level``, kept by ``monitoring.worst``): a
    district's projects are walked on the index ``project_lit_order`` in that order, each
    checked as served, until the page is full — or, for a person who serves only a few
    (``FEW``), the few they serve are looked up by their keys and sorted.

    For a person who sees a whole district (``homes.district_rows``) the statement is
    compiled once per process: ``projects`` are then the district's, rebuilt from its key;
    and with ``user`` None (a park committee's: every project it sees) when ``viewer``,
    whose projects ``projects`` are, sees a district's or a committee's parks' projects
    (``homes.projects_rows``)."""
    model = projects.model
    every = user is not None and model.objects.whole_district_of(user) is not None
    served = SERVED_ALL
    if user is not None:
        serves = _served_count(model, user)
        if not serves:
            return []
        served = SERVED_FEW if serves <= FEW else SERVED_SOME if serves <= MANY else SERVED_MANY

    def rows(projects, person):
        return _rows(model, projects, person, served)[:shown]

    found = None
    if every:
        found = district_rows(
            ("my_projects", served, shown),
            user,
            lambda district_id, person: rows(model.objects.filter(district_id=district_id), person),
        )
    elif user is None and viewer is not None:
        found = projects_rows(
            ("my_projects", shown), viewer, lambda projects, _district: rows(projects, None)
        )
    if found is None:
        found = list(rows(projects, user))
    for project in found:
        project.light = LIGHT_OF_LEVEL[project.light_level]
    return found


# How the projects of ``my_projects`` are found served: all of them (a park's), a few
# (looked up by their keys), some or many (read from the district's in the order shown).
SERVED_ALL, SERVED_FEW, SERVED_SOME, SERVED_MANY = "all", "few", "some", "many"


def _rows(model, projects, user, served: str):
    """The projects of ``my_projects`` in its order."""
    if served == SERVED_FEW:
        visible = Exists(projects.filter(pk=OuterRef("pk")))
        rows = model.objects.filter(served_keys(user)).filter(visible)
    elif served == SERVED_SOME:
        # (the projects served as lists of keys, each read once off its index: the walk
        # may pass many a project not served before the page is full, each then told by
        # a probe of those lists rather than three lookups)
        rows = projects.filter(served_keys(user))
    elif served == SERVED_MANY:  # (lists of tens of thousands of keys cost more to read)
        rows = projects.filter(served_by(user))
    else:
        rows = projects
    return rows.select_related("park").order_by("-light_level", "-updated_at", "-id")


def _served_count(model, user) -> int:
    """How many ways ``user`` serves projects (of any district) — team places, projects as
    designated leader, their department's pairings — each counted off its index up to one
    past ``MANY``, in one query (a project served two ways counts twice: enough to tell the
    few from the some and the many).
    Its statement is compiled once per process (``core.statements``): it depends on the
    user's key and their department's alone."""
    ids = (user.pk, *([user.department_id] if user.department_id else []))
    row = statements.rows(("dashboard.served_count", len(ids)), _served_counts, *ids)
    return sum(value or 0 for value in row[0])


class _CountOf(Subquery):
    """SQL: how many rows ``queryset`` has (sliced: up to its limit, read off its index)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"


def _served_counts(user_id, department_id=None):
    model = Project
    ways = [
        ProjectTeamMember.objects.filter(user=user_id),
        model.objects.filter(designated_leader=user_id),
    ]
    if department_id is not None:
        ways.append(model.paired_departments.through.objects.filter(department_id=department_id))
    # Each way counted up to one past MANY (beyond it the count changes nothing: a
    # person serving tens of thousands is told in the time of a few thousand).
    counts = {
        f"way{n}": _CountOf(way.order_by().values("pk")[: MANY + 1], output_field=IntegerField())
        for n, way in enumerate(ways)
    }
    return get_user_model().objects.filter(pk=user_id).annotate(**counts).values_list(*counts)


def attention(projects, user=None) -> list:
    """The delayed or stopped projects, the latest updated first (of ``projects``, the
    projects ``user`` sees: for a person who sees a whole district, read by a statement
    compiled once per process, ``homes.district_rows``)."""
    if user is not None:
        found = projects_rows("attention", user, lambda projects, _district: _attention(projects))
        if found is not None:
            return found
    return list(_attention(projects))


# The conditions of a project needing attention (every one but normal), written in the
# statement as the partial index ``project_attention`` says them.
ATTENTION = Q(LiteralIn(F("condition"), NEEDS_ATTENTION))


def _attention(projects):
    return (
        projects.filter(ATTENTION)
        .select_related("park", "enterprise")
        .order_by("-updated_at", "-id")[:ATTENTION_SHOWN]
    )


def unread_notifications(user, shown: int = UNREAD_SHOWN) -> list:
    """The latest ``shown`` unread messages of the user's inbox (read by a statement
    compiled once per process: a person's inbox is theirs alone, ``visible_to``)."""

    def build(user_id):
        inbox = Notification.objects.filter(recipient_id=user_id).unread()
        return inbox.order_by("-created_at")[:shown]

    return statements.rows(("dashboard.unread_notifications", shown), build, user.pk)


def recent_events(user) -> list:
    """The latest events about a project the user sees (not e.g. an import, whose subject
    is the district), each with its ``project_name``: off the events' index on district,
    kind of record and time (``event_district_recent``, ``event_recent`` for the city).
    For a person who sees a whole district, whose events are the district's, and for the
    names, the statements are compiled once per process (``core.statements``)."""
    kind = ContentType.objects.get_for_model(Project).pk

    def of_district(district_id):
        return _recent(DomainEvent.objects.filter(district_id=district_id), kind)

    events = district_rows(("recent_events", kind), user, of_district, uses=())
    if events is None:
        events = list(_recent(DomainEvent.objects.visible_to(user), kind))
    keys = list({e.object_id for e in events})
    names = dict(statements.rows("dashboard.event_names", _names, keys)) if keys else {}
    for event in events:
        event.project_name = names.get(event.object_id, "")
    return events


def _recent(events, kind: int):
    return (
        events.filter(content_type_id=kind, verb__startswith="project.")
        .exclude(verb="project.deleted")
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:EVENTS_SHOWN]
    )


def _names(keys):
    return Project.objects.filter(pk__in=keys).values_list("pk", "name")
