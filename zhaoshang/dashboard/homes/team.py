"""The project manager's and secretary's home (项目经理制/项目秘书制): the receipts to file
(the open approval cases of the projects they serve that no receipt records a visit for yet:
the worklist's own filter), last month's monthly reports not filed (the registry's
``mine`` and ``report_missing`` filters: ``Project.objects.owing_report``, the reminder's
rule), and the projects they hold, each with its monthly report of last month when one is
owed and missing and its next open milestone of the reverse schedule; and, when their
projects' history was imported (补录), the evidence those stages still owe."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Milestone
from zhaoshang.approvals.choices import OPEN_STATUSES
from zhaoshang.approvals.views import filtered_cases
from zhaoshang.core import clock, statements
from zhaoshang.core.parts import probed
from zhaoshang.dashboard.homes import Figure, Section, district_rows, tiles
from zhaoshang.projects.choices import HELD_ROLES, TeamRole
from zhaoshang.projects.models import EvidenceOwed, Project, ProjectTeamMember
from zhaoshang.projects.views.backfill import filtered_backfill
from zhaoshang.projects.views.registry import filtered_projects
from zhaoshang.service.models import Receipt

SHOWN = 12
# Up to this many projects held, the first shown are sorted from those held; beyond, read
# off indexes in the order shown (``_first_of_many``: a district grown to 50,000 projects
# left one manager holding 11,000 of them, every one sorted on each visit, issue 19.3).
FEW = 200
# The tiles of work (receipts to file, reports missing) count up to this many rows and show
# "99+" above, as a phone's badge does: what the tile tells is "much to do", its link opens
# the list with the exact total. Counted off the team's index in its order, such a count
# stops at its hundredth row instead of reading every project held (a district grown to
# 50,000 projects left one manager holding 11,000 of them, issue 19.3).
CAP = 99
# The projects held are counted up to this many ("more than 200 projects in my charge"):
# past it the number tells nothing the list of "mine" does not (its exact total), and the
# section reads the first shown off indexes (``FEW``). (PostgreSQL walks the team's index
# for a few hundred rows; asked for a thousand it hashed the district's 50,000 projects.)
TOTAL_CAP = FEW
# The worklist's query string of the receipts to file.
TO_FILE = {"mine": "on", "no_receipt": "on"}
# The registry's query string of my projects owing last month's monthly report.
REPORTS_MISSING = {"mine": "on", "report_missing": "on"}
# The 补录 list's query string of the evidence my imported projects still owe.
EVIDENCE_OWED = {"mine": "on"}


def last_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _projects(request):
    form, qs, _sort = filtered_projects(request)
    return form, qs


def declared(request) -> list[Figure]:
    month = last_month(clock.today())
    return [
        Figure(
            "to_file",
            "approvals:worklist",
            filtered_cases,
            TO_FILE,
            _("Receipts to file: open cases with no receipt yet"),
            "warning",
            CAP,
        ),
        Figure(
            "missing",
            "projects:list",
            _projects,
            REPORTS_MISSING,
            _("Monthly reports for %(month)s not filed") % {"month": month.strftime("%Y-%m")},
            "danger",
            CAP,
        ),
        Figure(
            "owed",
            "projects:backfill",
            filtered_backfill,
            EVIDENCE_OWED,
            _("Evidence owed by imported stages (补录)"),
            "warning",
        ),
    ]


def _held_once(projects, user_id: int):
    """``projects`` (a queryset of projects) held by the user ``user_id``, read off the
    team's index (its places joined, the walk's driver): as its manager, or as its
    secretary when not its manager as well (a person may be both), so that each project
    held (``held_by``) is one row. (The project's manager read as a value, on its key: a
    NOT EXISTS there was hashed by PostgreSQL over every place the person holds.)"""
    manager = ProjectTeamMember.objects.filter(project=OuterRef("pk"), role=TeamRole.MANAGER)
    manager = Subquery(manager.order_by().values("user_id")[:1])
    return projects.filter(
        Q(team_members__user=user_id)
        & (
            Q(team_members__role=TeamRole.MANAGER)
            | Q(team_members__role=TeamRole.SECRETARY)
            & ~Q(Exact(Coalesce(manager, Value(0), output_field=IntegerField()), user_id))
        )
    )


def _held_keys(projects, user_id: int, today: datetime.date):
    """The keys of ``projects`` held by the user, in the team index's order (a walk that
    stops: ``held_by``'s list of every place held was read whole first, 2.6–3.8 ms on
    SQLite at 11,000 held or in a park committee's grown district, against 0.7–1.3 ms)."""
    return _held_once(projects, user_id).order_by().values_list("pk", flat=True)


def _to_file(projects, user_id: int, today: datetime.date):
    """The keys of the open cases without a receipt of ``projects`` held by the user (the
    worklist's "mine" and "no receipt"): each project's cases off the index on (project,
    status), one row a case (the receipt's test and the case's status in one filter: the
    same case). (no receipt: NOT EXISTS, which PostgreSQL estimates as the anti-join it
    is)"""
    receipts = Receipt.objects.filter(approval_case=OuterRef("approval_cases__pk"))
    cases = _held_once(projects, user_id).filter(
        ~Exists(receipts), approval_cases__status__in=OPEN_STATUSES
    )
    return cases.order_by().values_list("approval_cases__pk", flat=True)


def _missing(projects, user_id: int, today: datetime.date):
    """The keys of ``projects`` held by the user owing last month's report
    (``owing_report``, each project's report looked up on its key)."""
    owing = _held_once(projects, user_id).owing_report(today, probe=True)
    return owing.order_by().values_list("pk", flat=True)


def _capped(build, user, today: datetime.date, cap: int, visible=None) -> int:
    """How many rows ``build`` gives for the projects ``user`` sees (``visible``, when
    given), at most ``cap`` + 1: the first read in the walk's order, it stops there. For
    whoever sees a whole district (their projects: its projects, ``visible_to``) the
    statement is compiled once per process and day (``core.statements``: the ORM spent
    more building it than the database running it); for anyone else, every time."""
    district = Project.objects.whole_district_of(user)
    if district is None:
        visible = Project.objects.visible_to(user) if visible is None else visible
        return len(build(visible, user.pk, today)[: cap + 1])
    key = ("dashboard.team", build.__name__, today, cap)

    def of_district(district_id: int, user_id: int):
        projects = Project.objects.filter(district_id=district_id)
        return build(projects, user_id, today)[: cap + 1]

    return len(statements.rows(key, of_district, district, user.pk))


def figures(request) -> dict[str, int]:
    """The tiles' figures, from the projects the user holds read off the team's index in
    its order (``_held_once``), each project checked on its own row: the tiles of work
    counted up to ``CAP`` + 1, so that the walk stops within the first projects held with
    work rather than read every one."""
    user, today = request.user, clock.today()
    visible = Project.objects.visible_to(user)
    owed = district_rows(
        "team.owed",
        user,
        lambda district_id, person: _owed(Project.objects.filter(district_id=district_id), person),
        uses=("user",),
    )
    if owed is None:
        owed = _owed(visible, user)
    return {
        "to_file": _capped(_to_file, user, today, CAP, visible),
        "missing": _capped(_missing, user, today, CAP, visible),
        "owed": owed[0] if owed else 0,
    }


def _owed(projects, user):
    """[how many materials the imported stages of ``projects`` held by ``user`` owe] (none
    when none)."""
    held = projects.held_by(user)
    owed = EvidenceOwed.objects.open().filter(Exists(held.filter(pk=OuterRef("project_id"))))
    return (
        owed.order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )


def _name_next_milestones(projects: list) -> None:
    """``next_name`` on each of the projects shown: its next open milestone's (the earliest
    due, then the first recorded), read for these projects alone."""
    names: dict[int, str] = {}
    keys = [p.pk for p in projects]
    rows = statements.rows("dashboard.team.milestones", _next_milestones, keys) if keys else []
    for project_id, name in rows:
        names.setdefault(project_id, name)
    for project in projects:
        project.next_name = names.get(project.pk) if project.next_due_on else None


def _next_milestones(keys):
    return (
        Milestone.objects.open()
        .filter(commitment__project__in=keys)
        .order_by("commitment__project", "due_on", "id")
        .values_list("commitment__project", "name")
    )


def _first_of_many(user, visible, owing, next_due, shown: int, today) -> list[int]:
    """The keys of the first ``shown`` projects ``user`` holds, in the section's order, for
    one who holds many: read in that order off indexes and each project checked on its own
    key, rather than every project held sorted — those owing the report first, then the
    others; in each part those with an open milestone by the nearest (the open milestones
    walked by due date, ``_nearest_due``), then those without one by name
    (``project_district_name``)."""
    open_milestones = Milestone.objects.open().filter(commitment__project=OuterRef("pk"))
    keys: list[int] = []
    for owes in (True, False):
        read = _part_reader(user, visible, owing, owes, today)

        def batch(start, size, read=read):
            return read(("due", start, size), lambda part: _due_rows(part)[start : start + size])

        keys += _nearest_due(batch, next_due, shown - len(keys))
        if len(keys) < shown:
            n = shown - len(keys)
            keys += read(
                ("name", n),
                lambda part, n=n: (
                    part.exclude(Exists(open_milestones))
                    .order_by("name", "id")
                    .values_list("pk", flat=True)[:n]
                ),
            )
    return keys[:shown]


def _held_part(projects, person, owing, owes: bool):
    """Of ``projects``, those ``person`` holds that owe last month's report (``owes``), or
    those that do not."""
    places = ProjectTeamMember.objects.filter(project=OuterRef("pk"), user=person)
    held = projects.filter(Exists(places.filter(role__in=HELD_ROLES)))
    return held.filter(Exists(owing)) if owes else held.exclude(Exists(owing))


def _part_reader(user, visible, owing, owes: bool, today):
    """``read(name, build)``: ``list(build(part))`` of ``_held_part`` of the projects
    ``user`` sees — for whoever sees a whole district compiled once per process, day and
    ``name`` (``homes.district_rows``: building these walks cost more than running them, a
    leader holding 14,594 of 50,000 projects)."""

    def read(name, build):
        found = district_rows(
            ("team.many", today, owes, *name),
            user,
            lambda district_id, person: build(
                _held_part(Project.objects.filter(district_id=district_id), person, owing, owes)
            ),
            uses=("user",),
        )
        return list(build(_held_part(visible, user, owing, owes))) if found is None else found

    return read


def _due_rows(projects):
    """The open milestones of ``projects`` by due date: (project, due date) rows, each
    milestone's project checked on its key (``probed``)."""
    return (
        Milestone.objects.open()
        .filter(probed(Exists(projects.filter(pk=OuterRef("commitment__project_id")))))
        .order_by("due_on", "id")
        .values_list("commitment__project_id", "due_on")
    )


def _batches(projects):
    """``batch(start, size)``: a slice of ``_due_rows(projects)``, for ``_nearest_due``."""
    rows = _due_rows(projects)
    return lambda start, size: list(rows[start : start + size])


def _nearest_due(batch, next_due, count: int) -> list[int]:
    """The keys of the first ``count`` projects with an open milestone, the nearest next due
    first (then by name): the open milestones read by due date, a batch at a time
    (``batch(start, size)``: ``_batches``, or a part's kept reads), until ``count`` projects
    and every one tied with the last of them are found; those few put in order by the
    database."""
    if count <= 0:
        return []
    due: dict[int, object] = {}
    last, start, size = None, 0, 4 * count
    while True:
        found = batch(start, size)
        for project, day in found:
            if last is not None and day > last:
                break
            due.setdefault(project, day)  # (its first is its next: read by due date)
            if last is None and len(due) == count:
                last = day
        else:
            if len(found) == size:
                start, size = start + size, 4 * size
                continue
        break
    if not due:
        return []

    def in_order(keys):
        found = Project.objects.filter(pk__in=keys).annotate(
            next_due_on=Subquery(next_due, output_field=DateField())
        )
        return found.order_by("next_due_on", "name", "id").values_list("pk", flat=True)[:count]

    return statements.rows(("dashboard.team.nearest", count), in_order, list(due))


def _next_due():
    """SQL, on a project: the due date of its next open milestone."""
    return (
        Milestone.objects.open()
        .filter(commitment__project=OuterRef("pk"))
        .order_by()
        .values("commitment__project")
        .annotate(due=Min("due_on"))
        .values("due")
    )


def _owing(today: datetime.date):
    """SQL, on a project: it owes last month's report (``owing_report``)."""
    return Project.objects.owing_report(today).filter(pk=OuterRef("pk"))


def _with_work(projects, today: datetime.date):
    """``projects`` with ``report_missing`` and ``next_due_on``."""
    return projects.annotate(
        report_missing=Exists(_owing(today)),
        next_due_on=Subquery(_next_due(), output_field=DateField()),
    )


def _rows_with_work(today: datetime.date):
    def build(keys):
        return _with_work(Project.objects.filter(pk__in=keys), today).order_by()

    return build


def section(request) -> Section | None:
    user, today = request.user, clock.today()
    visible = Project.objects.visible_to(user)
    # (most people hold no project: one plain query tells; up to TOTAL_CAP + 1)
    total = _capped(_held_keys, user, today, TOTAL_CAP, visible)
    if not total:
        return None
    month = last_month(today)
    next_due = _next_due()
    owing = _owing(today)

    # The missing reports first, then the nearest deadline: the first rows are today's work.
    # Their keys are found first (narrow rows), then those rows read with their names by
    # their keys (held and seen: no second list of the projects held). (For whoever sees a
    # whole district, and for the rows by their keys, compiled once per process and day.)
    if total <= FEW:

        def first(projects, person):
            order = ("-report_missing", F("next_due_on").asc(nulls_last=True), "name", "id")
            held = projects.held_by(person)
            return _with_work(held, today).order_by(*order).values_list("pk", flat=True)[:SHOWN]

        keys = district_rows(
            ("team.first", today),
            user,
            lambda district_id, person: first(
                Project.objects.filter(district_id=district_id), person
            ),
            uses=("user",),
        )
        if keys is None:
            keys = list(first(visible, user))
    else:
        keys = _first_of_many(user, visible, owing, next_due, SHOWN, today)
    found = (
        statements.rows(("dashboard.team.rows", today), _rows_with_work(today), keys)
        if keys
        else []
    )
    by_id = {p.pk: p for p in found}
    projects = [by_id[pk] for pk in keys]
    _name_next_milestones(projects)
    if not projects:
        return None
    to_file, missing, owed = tiles(declared(request), figures(request))
    # (A district that imported nothing owes nothing: no tile.)
    found = [to_file, missing, *([owed] if owed.count else [])]
    return Section(
        "team",
        _("The projects I manage or serve as secretary"),
        found,
        template="dashboard/homes/team.html",
        extra={
            "projects": projects,
            "month": month,
            "today": today,
            "missing": missing,
            "owed": owed,
            "total": total,
            "total_cap": TOTAL_CAP,
        },
    )
