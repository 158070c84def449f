"""The daily scan's monitoring part (SPEC §11): recompute the signals — every timed thing
that is yellow or red today — and escalate them along the chain project secretary →
project manager → leader in charge → joint meeting, each step after the district's number
of working days. A step without a person goes to the office of the investment leading group
and the signal shows as unassigned.

Both steps work on sets: one query per kind of timed thing reads what is lit today, the
stored signals are read once, and the difference is written with bulk statements. Running
the scan twice on a day changes nothing the second time.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Case, F, IntegerField, Max, Min, Q, Value, When
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import in_districts, joined
from zhaoshang.core.roles import Role
from zhaoshang.core.scanstep import scan_step
from zhaoshang.core.setwise import date_param, plain_rows
from zhaoshang.monitoring import lights_sql
from zhaoshang.monitoring.choices import DEFAULT_ESCALATION, Level
from zhaoshang.monitoring.lights import project_light_on, project_reasons_on
from zhaoshang.monitoring.models import EscalationRule, LightSnapshot, Signal
from zhaoshang.monitoring.refresh import refresh_subject
from zhaoshang.monitoring.sources import SOURCES
from zhaoshang.monitoring.worst import restore_districts
from zhaoshang.notifications.services import notify_many
from zhaoshang.org.choices import Rank
from zhaoshang.org.models import District, User
from zhaoshang.org.people import leading_group_office_staff
from zhaoshang.projects.choices import REPORTING_STAGES, TeamRole
from zhaoshang.projects.leaders import leader_in_charge_id
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.workdays.models import Day
from zhaoshang.workdays.services import seq_of


@dataclass
class Refresh:
    created: int = 0
    updated: int = 0
    removed: int = 0
    # new signals written at once at the step their age reaches, nobody being told of the
    # move (``refresh_signals(climb_unheard=True)``): the escalation's moves they spare
    climbed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def refresh_signals(
    today: datetime.date | None = None,
    subjects=None,
    district_ids: list[int] | None = None,
    climb_unheard: bool = False,
) -> Refresh:
    """Bring the stored signals in line with today's lights (of ``district_ids``' timed
    things and signals only; None: every district).

    ``climb_unheard`` (the daily scan, which runs ``escalate`` for the same day and
    districts right after): a new signal goes in at the step its age reaches today when
    nobody would be told of that move (``unheard_steps``) — as ``escalate`` would leave it,
    not written twice (a first scan's 293,000 signals at 100,000 projects, most of which
    climb at once); the others go in at no step and ``escalate`` takes them, messages and
    all. ``Refresh.climbed`` counts the former."""
    today = today or clock.today()
    result = Refresh()
    steps = unheard_steps(today, district_ids) if climb_unheard else None
    mark = Signal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for subject in subjects or SOURCES:
        with transaction.atomic():
            _refresh(subject, today, result, district_ids, steps)
    if steps is not None and result.created:
        # the new signals (keys past the mark) that went in at a step, of the districts
        # scanned (another district's scan may write its own beside this one)
        result.climbed = (
            in_districts(Signal.objects, district_ids)
            .filter(pk__gt=mark, level__gt=Level.NONE)
            .count()
        )
    # The projects' stored lights follow their signals (``worst``: the homes' order); with
    # no signal written, none moved (every other write restored its own).
    if result.changed:
        restore_districts(district_ids)
    return result


def _refresh(
    subject: str, today: datetime.date, result: Refresh, district_ids=None, steps=None
) -> None:
    """One subject's difference, written by the database (``monitoring.refresh``): one
    DELETE of the lights gone, one ``UPDATE … FROM`` of those whose values moved, one
    ``INSERT … SELECT`` of the new ones."""
    created, updated, removed = refresh_subject(subject, today, district_ids, steps)
    result.created += created
    result.updated += updated
    result.removed += removed


# -- escalation ------------------------------------------------------------------------------


def escalation_steps(district_id) -> dict[int, int]:
    rule = EscalationRule.objects.filter(district_id=district_id).first()
    return rule.after() if rule else dict(DEFAULT_ESCALATION)


def _target(district_ids, today: datetime.date, new: bool = False) -> Case:
    """SQL on signals: the step of the chain a signal's age — the working days since it
    turned — reaches under its district's rule (``escalation_steps``): the highest step
    whose number of days has passed, none before the first.

    An age of at least n working days is a ``since`` on or before the last day whose
    working-day number is today's less n (the numbers never fall from one day to the
    next): each step a plain date comparison, the days looked up once here rather than a
    signal's age looked up again in each step (``workday_seq``). A ``since`` the working-day
    index does not cover has no age and reaches no step, as before.

    ``new``: on a signal about to be written, whose ``since`` is not stored yet — the day
    after its due date when it is red past it (``refresh``), else today: the same step, a
    ``since`` of today judged here, the day after a due date by the due date (a day
    earlier), without the date computed for each row."""
    rules = {
        r.district_id: r.after() for r in in_districts(EscalationRule.objects.all(), district_ids)
    }
    afters = {n for steps in [*rules.values(), DEFAULT_ESCALATION] for n in steps.values()}
    reached_by, first_day = _reached_by(today, afters)
    reachable = {after for after, day in reached_by.items() if day is not None}

    def reached(steps: dict[int, int]) -> Case:
        if new:
            return _reached_when_new(steps, reached_by, first_day, today)
        return Case(
            *[
                When(since__lte=reached_by[after], since__gte=first_day, then=Value(level))
                for level, after in sorted(steps.items(), reverse=True)
                if after in reachable
            ],
            default=Value(Level.NONE),
            output_field=IntegerField(),
        )

    return Case(
        *[When(district_id=d, then=reached(steps)) for d, steps in sorted(rules.items())],
        default=reached(dict(DEFAULT_ESCALATION)),
        output_field=IntegerField(),
    )


def _reached_when_new(steps: dict[int, int], reached_by: dict, first_day, today) -> Case:
    """``_target``'s step of one rule (``steps``) for a signal about to be written: red past
    its due date, it turned the day after (a ``since`` of due + 1 is on or before a day when
    the due date is a day earlier or more); otherwise it turns today."""
    one = datetime.timedelta(days=1)
    ordered = [
        (level, reached_by[after])
        for level, after in sorted(steps.items(), reverse=True)
        if reached_by[after] is not None
    ]
    turned_today = next((level for level, by in ordered if first_day <= today <= by), Level.NONE)
    overdue = Case(
        # (before the working-day index: no age, no step)
        *([When(due_on__lt=first_day - one, then=Value(Level.NONE))] if ordered else []),
        *[When(due_on__lte=by - one, then=Value(level)) for level, by in ordered],
        default=Value(Level.NONE),
        output_field=IntegerField(),
    )
    return Case(
        When(light=Light.RED, due_on__lt=today, then=overdue),
        default=Value(turned_today),
        output_field=IntegerField(),
    )


def _reached_by(today: datetime.date, afters) -> tuple[dict, datetime.date | None]:
    """For each number of working days n of ``afters``, the last day of the working-day
    index whose number is at most today's less n (None: no such day), and the index's
    first day — one query."""
    today_seq = seq_of(today)
    afters = sorted(afters)
    found = Day.objects.aggregate(
        zs_first=Min("date"),
        **{
            f"zs_{i}": Max(Case(When(seq__lte=today_seq - after, then=F("date"))))
            for i, after in enumerate(afters)
        },
    )
    return {after: found[f"zs_{i}"] for i, after in enumerate(afters)}, found["zs_first"]


def _recipients(projects) -> dict[int, dict[int, list]]:
    """For each project of ``projects`` (ids, or a query of them), the people of each step
    of the chain: its secretary, its manager, and its leader in charge
    (``projects.leaders``, the rule the receipts follow too: the designated contact
    leader, else the manager). Inactive people are nobody."""
    levels = Level.values
    out: dict[int, dict[int, list]] = defaultdict(lambda: {lvl: [] for lvl in levels})
    for member in _members_of_the_chain().filter(project_id__in=projects).select_related("user"):
        level = Level.SECRETARY if member.role == TeamRole.SECRETARY else Level.MANAGER
        out[member.project_id][level].append(member.user)
    chosen = dict(
        Project.objects.filter(pk__in=projects)
        .annotate(leader_id=leader_in_charge_id())
        .filter(leader_id__isnull=False)
        .values_list("pk", "leader_id")
    )
    users = User.objects.in_bulk(set(chosen.values()))
    for project_id, leader_id in chosen.items():
        if leader_id in users:
            out[project_id][Level.LEADER].append(users[leader_id])
    return out


def _organisers(district_ids) -> dict[int, list]:
    """Who puts a light on the next joint meeting's agenda: the bureau (it organises the
    joint meetings) and the supervision office."""
    out: dict[int, list] = {pk: [] for pk in district_ids}
    for user in (
        User.objects.filter(district_id__in=district_ids, is_active=True, enterprise__isnull=True)
        .filter(
            Q(groups__name=Role.SUPERVISOR)
            | Q(groups__name=Role.BUREAU, rank__in=(Rank.COUNTY, Rank.SECTION))
        )
        .distinct()
    ):
        out[user.district_id].append(user)
    return out


def escalate(today: datetime.date | None = None, district_ids: list[int] | None = None) -> int:
    """Take every yellow or red signal of a project (of ``district_ids``; None: every
    district) as far up the chain as its age in working days allows; each step is told
    once. Returns how many signals moved up.

    The ages and the steps they reach are judged by the database (the working days since
    the signal turned, against the district's rule) and written by one ``UPDATE``; of the
    signals that move, only those someone may be told of are read, as plain rows, for
    their messages (a move nobody hears of — no person at its step, no office to take
    it — is written by the ``UPDATE`` alone, unassigned)."""
    today = today or clock.today()
    target = _target(district_ids, today)
    climbing = in_districts(Signal.objects, district_ids).filter(
        project__isnull=False, level__lt=Level.MEETING
    )
    moving = climbing.annotate(target=target).filter(target__gt=F("level"))
    with transaction.atomic():
        if not moving.exists():
            return 0
        organisers, offices, someone = _listeners(district_ids)
        messages, assigned = [], []
        if someone is not None:
            told = moving.filter(someone)
            moves = told.order_by("id").values_list(
                "pk",
                "district_id",
                "project_id",
                "title",
                "project__name",
                "url",
                "light",
                "target",
            )  # (pk, district, project, title, project's name, url, light, target), streamed
            # as plain rows (each distinct value converted once)
            messages, assigned = _escalation_messages(
                plain_rows(moves, chunk_size=2000), told.values("project_id"), organisers, offices
            )
        # every signal takes the step it reached, unassigned unless the step has a person
        moved = _climb(moving, today)
        notify_many(messages)
        for i in range(0, len(assigned), UPDATE_SLICE):
            Signal.objects.filter(pk__in=assigned[i : i + UPDATE_SLICE]).update(unassigned=False)
    return moved


UPDATE_SLICE = 900


def unheard_steps(today: datetime.date, district_ids) -> tuple[str, list]:
    """SQL, with its parameters, on a signal about to be written (its columns under the
    signal table's name: ``district_id``, ``project_id``, ``light``, ``due_on``; its
    ``since`` as ``refresh`` writes it): the step ``escalate`` would take it to today when
    nobody is told of that move — a signal of a project, past no step yet, whose age
    reaches a step, and not one ``_someone_told`` may tell — else ``Level.NONE``
    (``escalate`` judges it then, as any other). Written at that step (with today's date,
    unassigned), such a signal is what ``escalate`` leaves: its ``UPDATE`` writes nothing
    else for it, and neither its messages nor its assigned ones read it."""
    *_people, someone = _listeners(district_ids)
    # (a move ``someone`` may tell of — the told rows are those it holds for, as
    # ``escalate`` filters them — is left to ``escalate``)
    heard = Q(project__isnull=True) if someone is None else Q(project__isnull=True) | someone
    query = (
        Signal.objects.annotate(target=_target(district_ids, today, new=True))
        .annotate(
            zs_step=Case(
                When(heard, then=Value(Level.NONE)),
                default=F("target"),
                output_field=IntegerField(),
            )
        )
        .query
    )
    connection = connections[router.db_for_write(Signal)]
    if joined(query):
        raise ValueError("a new signal's step is judged on its own columns only")
    return query.get_compiler(connection=connection).compile(query.annotations["zs_step"])


def _listeners(district_ids) -> tuple[dict[int, list], dict[int, list], Q | None]:
    """Who may be told of a move in the districts scanned (``district_ids``; None: every
    district): the joint meetings' organisers and the leading groups' offices, by district,
    and ``_someone_told``'s condition on the moving signals. The districts are the ones
    scanned (a superset of those with a moving light, as ``_someone_told`` allows): not
    looked for among the signals, which have no index of the district alone, and most of
    whose rows after a first scan sit at the top step (a probe per district walked them:
    0.25 s at 100,000 projects)."""
    districts = set(in_districts(District.objects, district_ids, "pk").values_list("pk", flat=True))
    organisers = _organisers(districts)
    offices = leading_group_office_staff(districts)
    return organisers, offices, _someone_told(districts, organisers, offices)


def _someone_told(districts, organisers: dict[int, list], offices: dict[int, list]) -> Q | None:
    """On moving signals (annotated with ``target``): those someone may be told of — a
    district whose leading group's office has people takes every step nobody has; the
    joint meeting's organisers; a project with an active secretary or manager, or an
    active designated leader (``_recipients``: the leader in charge is the one, else the
    manager). A superset: ``_escalation_messages`` judges each row read. None when the
    districts have nobody to tell at all."""
    someone = []
    with_office = sorted(d for d, people in offices.items() if people)
    if with_office:
        someone.append(Q(district_id__in=with_office))
    with_organisers = sorted(d for d, people in organisers.items() if people)
    if with_organisers:
        someone.append(Q(target=Level.MEETING, district_id__in=with_organisers))
    chain = (
        _members_of_the_chain().filter(project__district_id__in=districts).exists()
        or (
            Project.objects.filter(district_id__in=districts, designated_leader__is_active=True)
        ).exists()
    )
    if chain:
        # (the designated leaders by a subquery, not a join: ``unheard_steps`` judges a
        # signal on its own columns)
        someone.append(
            ~Q(target=Level.MEETING)
            & (
                Q(project_id__in=_members_of_the_chain().values("project_id"))
                | Q(
                    project_id__in=Project.objects.filter(designated_leader__is_active=True).values(
                        "pk"
                    )
                )
            )
        )
    return reduce(operator.or_, someone) if someone else None


def _members_of_the_chain():
    """The team members who are steps of the chain: active secretaries and managers."""
    return ProjectTeamMember.objects.filter(
        role__in=(TeamRole.SECRETARY, TeamRole.MANAGER), user__is_active=True
    )


def _climb(moving, today: datetime.date) -> int:
    """One ``UPDATE`` of the signals ``moving`` (annotated with the step each reaches,
    ``target``, and filtered on it, on the signals' own columns): the step, today, and
    unassigned — the statement judges each age itself, by the condition the moves were
    read by, rather than joining the signals to those rows (``UPDATE … FROM``). Returns
    how many moved."""
    connection = connections[router.db_for_write(Signal)]
    table = connection.ops.quote_name(Signal._meta.db_table)
    query = moving.query
    if joined(query):
        raise ValueError("the climbing signals are judged on their own columns only")
    compiler = query.get_compiler(connection=connection)
    target, target_params = compiler.compile(query.annotations["target"])
    where, where_params = compiler.compile(query.where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET level = {target}, escalated_on = %s, unassigned = %s "
            f"WHERE {where}",
            [*target_params, date_param(connection, today), True, *where_params],
        )
        return cursor.rowcount


def _escalation_messages(moves, projects, organisers, offices) -> tuple[list, list[int]]:
    """The messages of the signals ``moves`` that move up (each step's people, else the
    leading group's office; a message to nobody is not written) and the ids of those
    whose step has a person (the others show as unassigned). The people of ``projects``
    are read at the first move."""
    people = None
    # The words of the messages, translated once (not per signal).
    lights = {value: str(label) for value, label in Signal._meta.get_field("light").choices}
    steps_named = {lvl: str(Level(lvl).label) for lvl in Level.values}
    unassigned_title = _(
        "%(light)s: %(what)s (%(project)s) — the %(step)s step has nobody; "
        "unassigned, sent to the leading group's office"
    )
    escalated_title = _("%(light)s: %(what)s (%(project)s) — escalated to the %(step)s")
    messages, assigned = [], []
    nobody: list = []
    for pk, district_id, project_id, what, project_name, url, light, target in moves:
        if people is None:
            people = _recipients(projects)
        if target == Level.MEETING:
            recipients = organisers[district_id]
        else:
            recipients = people.get(project_id, {}).get(target, nobody)
        unassigned = not recipients
        if unassigned:
            # No step reaches nobody: the leading group's office takes it, and the board
            # shows it unassigned until a later step has a person.
            recipients = offices[district_id]
        else:
            assigned.append(pk)
        if not recipients:
            continue
        values = {
            "light": lights.get(light, light),
            "what": what,
            "project": project_name,
            "step": steps_named[target],
        }
        title = unassigned_title if unassigned else escalated_title
        messages.append((recipients, "signal.escalated", title % values, "", url))
    return messages, assigned


# -- the lights' history ---------------------------------------------------------------------

Lights = dict[int, tuple[str, list[dict]]]  # project id -> (light, reasons)


def project_lights(district_ids: list[int] | None = None) -> Lights:
    """Each lit project's light today — the worst of its signals — and why: the signals of
    that light, each ``{"title", "department", "due_on"}`` (one query; the signals of
    ``district_ids``, None: every district)."""
    out: Lights = {}
    rows = (
        in_districts(Signal.objects, district_ids)
        .filter(project__isnull=False)
        .order_by("project_id", "due_on", "id")
        .values_list("project_id", "light", "title", "department__name", "due_on")
    )
    for project_id, light, title, department, due_on in rows:
        reason = {
            "title": title,
            "department": department or "",
            "due_on": due_on.isoformat() if due_on else "",
        }
        current = out.get(project_id)
        if current is None or (light == Light.RED and current[0] != Light.RED):
            out[project_id] = (light, [reason])
        elif light == current[0]:
            current[1].append(reason)
    return out


def is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def record_lights(
    today: datetime.date | None = None,
    lights: Lights | None = None,
    projects=None,
    district_ids: list[int] | None = None,
) -> int:
    """Keep the history of the projects' lights (``LightSnapshot``): a row for each project
    whose light or reasons changed since its last row (a project never recorded counts as
    green), and on a month's last day a row for every active project as well, so a closed
    month's figures read the month's last day. ``lights``: each lit project's light and
    reasons (``project_lights()``, today's signals, by default); ``projects``: only these
    (the demo's districts); ``district_ids``: only the projects of these districts (None:
    every district). Running it twice on a day writes today's rows again, nothing more.
    Returns the number of rows written. With today's signals (``lights`` None) the
    database does it all in one statement (``lights_sql``); given lights are compared
    here, row by row."""
    today = today or clock.today()
    scope = Project.objects.all() if projects is None else projects
    if lights is None:
        # today's signals: the lights, their reasons and the comparison in the database
        return lights_sql.record(today, scope, district_ids, is_month_end(today))
    scope = in_districts(scope, district_ids)
    rows = (
        scope.filter(Q(stage__in=REPORTING_STAGES) | Q(pk__in=list(lights)))
        .annotate(
            last_light=project_light_on(today),
            last_reasons=project_reasons_on(today),
        )
        .order_by("pk")
        .values_list("pk", "district_id", "stage", "last_light", "last_reasons")
    )
    month_end = is_month_end(today)
    write = []
    for pk, district_id, stage, last_light, last_reasons in rows.iterator(chunk_size=2000):
        light, reasons = lights.get(pk, (Light.GREEN, []))
        changed = (light, reasons) != (last_light, last_reasons or [])
        if changed or (month_end and stage in REPORTING_STAGES):
            write.append(
                LightSnapshot(
                    district_id=district_id, project_id=pk, on=today, light=light, reasons=reasons
                )
            )
    LightSnapshot.objects.bulk_create(
        write,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["project", "on"],
        update_fields=["light", "reasons"],
    )
    return len(write)


# -- the daily scan -------------------------------------------------------------------------


def daily_scan(
    today: datetime.date | None = None, district_ids: list[int] | None = None
) -> list[tuple[str, str]]:
    """Every scan of the platform, in order, then the signals and their escalation, then
    what counts the lights (SPEC §19 ``daily_scan``). Returns one (step, what it did) line
    per step. The steps are named in ``settings.DAILY_SCAN_STEPS`` and
    ``settings.DAILY_SCAN_AFTER_LIGHTS`` (dotted paths of functions taking ``today`` and
    the keyword ``district_ids``).

    ``district_ids``: scan only these districts (None: every district). Every step reads
    and writes the rows of those districts only, so the scan partitions by district: the
    districts scanned one after another (or side by side) leave what one whole scan
    leaves (``tests/test_scan_partition.py``).

    Each step runs as ``core.scanstep.scan_step``: the cyclic garbage collector paused (a
    step makes hundreds of thousands of rows and frees them by their counts; its few
    cycles are collected after it) and, on SQLite, as one transaction whose rows are
    written without a probe of each foreign key (every key it writes is read in that
    transaction)."""
    today = today or clock.today()
    report = _steps(settings.DAILY_SCAN_STEPS, today, district_ids)
    with scan_step():
        # the new signals nobody hears of climb as they go in (``escalate`` next, same day)
        refreshed = refresh_signals(today, district_ids=district_ids, climb_unheard=True)
    report.append(
        (
            "signals",
            f"created {refreshed.created}, updated {refreshed.updated}, removed {refreshed.removed}",
        )
    )
    with scan_step():
        escalated = refreshed.climbed + escalate(today, district_ids)
    report.append(("escalation", f"escalated {escalated}"))
    with scan_step():
        recorded = record_lights(today, district_ids=district_ids)
    report.append(("lights", f"recorded {recorded}"))
    # Then what counts today's lights (the homes' tallies of red projects).
    return report + _steps(settings.DAILY_SCAN_AFTER_LIGHTS, today, district_ids)


def _steps(paths, today: datetime.date, district_ids) -> list[tuple[str, str]]:
    """Run the scan's steps named by ``paths``: one (step, what it did) line each."""
    report = []
    for path in paths:
        step = import_string(path)
        label = path.removeprefix("zhaoshang.").replace(".services.", ".")
        with scan_step():
            done = step(today, district_ids=district_ids)
        report.append((label, str(done)))
    return report
