"""The parts of the home page around the roles' sections: the projects I serve with their
lights, the projects needing attention and the recent activity — each a few rows read off
an index in the order shown, whatever the district's size (issue 19.3)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from zhaoshang.core import statements
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.parts import LiteralIn
from zhaoshang.dashboard.homes import district_rows, projects_rows
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.choices import NEEDS_ATTENTION
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.projects.querysets import served_by, served_keys

MY_PROJECTS_SHOWN = 12
ATTENTION_SHOWN = 8
EVENTS_SHOWN = 10
UNREAD_SHOWN = 5
# Up to this many projects served, a person's green projects are read from those they
# serve; beyond, from the district's in the order shown (they are soon found).
FEW = 200
# A project's light is the worst of its signals (``monitoring.lights.project_light``).
WORST_FIRST = (Light.RED, Light.YELLOW)


def my_projects(user, projects, signals, shown: int = MY_PROJECTS_SHOWN, viewer=None) -> list:
    """The first ``shown`` of ``projects`` (the user's visible projects, a queryset) that
    ``user`` serves (``projects.querysets.served_by``; None: every one, a park's), each
    with its ``light``: the red ones first, then the yellow, then the green, each colour the
    latest updated first — the order of ``project_light``, then ``-updated_at, -id``.
    ``signals``: the district's lights (every light of a project is in its district).

    Read off indexes rather than the light of every project worked out to sort them: the
    lit projects from the district's lights (a list of keys, each project looked up by its
    key and checked, red before yellow), then — when the page is not full — the green ones
    by reading the projects in the order shown until it is, or, for a person who serves
    only a few (``FEW``), from the few they serve.

    For a person who sees a whole district (``homes.district_rows``) the statements are
    compiled once per process: ``projects`` are then the district's and ``signals`` its
    lights, so both are rebuilt from the district's key; and with ``user`` None (a park
    committee's: every project it sees) when ``viewer``, whose projects ``projects`` are,
    sees a district's or a committee's parks' projects (``homes.projects_rows``)."""
    model = projects.model
    # A district's lights are its projects' (each light is kept in its project's district):
    # whoever sees the whole district sees every one of them, unchecked.
    every = user is not None and model.objects.whole_district_of(user) is not None
    few = False
    if user is not None:
        serves = _served_count(model, user)
        if not serves:
            return []
        few = serves <= FEW  # looked up by their keys, not read from the district's

    def lit_rows(projects, signals, person):
        return _lit_rows(model, projects, signals, person, every, few)[:shown]

    def green_rows(projects, signals, person, count):
        return _green_rows(model, projects, signals, person, few)[:count]

    def district(read, *args):
        def build(district_id, person):
            rows_ = model.objects.filter(district_id=district_id)
            lights = signals.model.objects.filter(district_id=district_id)
            return read(rows_, lights, person, *args)

        return build

    def of_projects(read, *args):
        def build(projects, district_id):
            return read(
                projects, signals.model.objects.filter(district_id=district_id), None, *args
            )

        return build

    found = None
    if every:
        found = district_rows(("my_projects.lit", few, shown), user, district(lit_rows))
    elif user is None and viewer is not None:
        found = projects_rows(("my_projects.lit", shown), viewer, of_projects(lit_rows))
    if found is None:
        found = list(lit_rows(projects, signals, user))
    for project in found:
        project.light = WORST_FIRST[project.worst]
    if len(found) < shown:
        count = shown - len(found)
        key = ("my_projects.green", few, count)
        green = None
        if every:
            green = district_rows(key, user, district(green_rows, count))
        elif user is None and viewer is not None:
            green = projects_rows(key, viewer, of_projects(green_rows, count))
        if green is None:
            green = list(green_rows(projects, signals, user, count))
        for project in green:
            project.light = Light.GREEN
        found += green
    return found


def _lit_rows(model, projects, signals, user, every: bool, few: bool):
    """The lit projects of ``my_projects`` in its order, each with ``worst`` (0: red)."""
    lit = signals.filter(project__isnull=False).order_by()
    lit_keys = lit.filter(light__in=WORST_FIRST).values("project_id")
    # A project is red with a red light, else yellow with a yellow one (``project_light``).
    red = lit.filter(light=Light.RED).values("project_id")
    worst = Case(When(pk__in=red, then=Value(0)), default=Value(1), output_field=IntegerField())
    visible = Exists(projects.filter(pk=OuterRef("pk")))
    if few:
        rows = model.objects.filter(served_keys(user)).filter(visible).filter(pk__in=lit_keys)
    else:
        rows = model.objects.filter(pk__in=lit_keys)
        if not every:
            rows = rows.filter(visible)
        if user is not None:
            rows = rows.filter(served_by(user))
    rows = rows.annotate(worst=worst).select_related("park")
    return rows.order_by("worst", "-updated_at", "-id")


def _green_rows(model, projects, signals, user, few: bool):
    """The projects of ``my_projects`` without a yellow or red light, in its order."""
    lit = signals.filter(project__isnull=False).order_by()
    lit_keys = lit.filter(light__in=WORST_FIRST).values("project_id")
    if few:
        visible = Exists(projects.filter(pk=OuterRef("pk")))
        rows = model.objects.filter(served_keys(user)).filter(visible)
    else:  # read from the district's, in the order shown
        # (the projects served as lists of keys, each read once off its index: the walk
        # may pass many a project not served before the page is full, each then told by
        # a probe of those lists rather than three lookups and a read of its row)
        rows = projects if user is None else projects.filter(served_keys(user))
    rows = rows.exclude(pk__in=lit_keys).select_related("park")
    return rows.order_by("-updated_at", "-id")


def _served_count(model, user) -> int:
    """How many ways ``user`` serves projects (of any district) — team places, projects as
    designated leader, their department's pairings — each counted off its index, in one
    query (a project served two ways counts twice: enough to tell the few from the many).
    Its statement is compiled once per process (``core.statements``): it depends on the
    user's key and their department's alone."""
    ids = (user.pk, *([user.department_id] if user.department_id else []))
    row = statements.rows(("dashboard.served_count", len(ids)), _served_counts, *ids)
    return sum(value or 0 for value in row[0])


def _served_counts(user_id, department_id=None):
    model = Project
    ways = [
        ProjectTeamMember.objects.filter(user=user_id),
        model.objects.filter(designated_leader=user_id),
    ]
    if department_id is not None:
        ways.append(model.paired_departments.through.objects.filter(department_id=department_id))
    counts = {
        f"way{n}": Subquery(
            way.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        )
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
