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
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.bulk import insert_rows, update_from_rows
from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import in_districts
from zhaoshang.core.roles import Role
from zhaoshang.monitoring.choices import DEFAULT_ESCALATION, Level
from zhaoshang.monitoring.lights import project_light_on, project_reasons_on
from zhaoshang.monitoring.models import EscalationRule, LightSnapshot, Signal
from zhaoshang.monitoring.sources import SOURCES, content_type_of
from zhaoshang.notifications.services import notify_many
from zhaoshang.org.choices import Rank
from zhaoshang.org.models import User
from zhaoshang.org.people import leading_group_office_staff
from zhaoshang.projects.choices import REPORTING_STAGES, TeamRole
from zhaoshang.projects.leaders import leaders_in_charge
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.workdays.services import CalendarWindow

FIELDS = (
    "district_id",
    "project_id",
    "department_id",
    "title",
    "url",
    "due_on",
    "days_left",
    "gap",
    "light",
)


@dataclass
class Refresh:
    created: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def refresh_signals(
    today: datetime.date | None = None, subjects=None, district_ids: list[int] | None = None
) -> Refresh:
    """Bring the stored signals in line with today's lights (of ``district_ids``' timed
    things and signals only; None: every district)."""
    today = today or clock.today()
    result = Refresh()
    for subject in subjects or SOURCES:
        with transaction.atomic():
            _refresh(subject, today, result, district_ids)
    return result


def _refresh(subject: str, today: datetime.date, result: Refresh, district_ids=None) -> None:
    """One subject's difference, as plain rows: today's lit rows against the stored
    signals' values (no model instances), then one DELETE, bulk inserts and one
    ``UPDATE … FROM`` for the rows whose values moved."""
    lit = {row[0]: row for row in SOURCES[subject](today, district_ids)}
    stored = {
        row[0]: row[1:]
        for row in in_districts(Signal.objects.filter(subject=subject), district_ids)
        .order_by()
        .values_list("object_id", "pk", *FIELDS)
        .iterator(chunk_size=5000)
    }
    gone = [row[0] for object_id, row in stored.items() if object_id not in lit]
    if gone:
        for i in range(0, len(gone), UPDATE_SLICE):
            Signal.objects.filter(pk__in=gone[i : i + UPDATE_SLICE]).delete()
        result.removed += len(gone)
    ctype = content_type_of(subject)
    new, changed = [], []
    for object_id, row in lit.items():
        values = row[1:]
        signal = stored.get(object_id)
        if signal is None:
            since = _since(dict(zip(FIELDS, values, strict=True)), today)
            new.append((subject, ctype.pk, object_id, *values, since, today, Level.NONE, False))
        elif signal[1:] != values:
            changed.append((signal[0], *values, today))
    # plain rows in one prepared INSERT, not a model instance each
    insert_rows(
        Signal,
        [
            "subject",
            "content_type_id",
            "object_id",
            *FIELDS,
            "since",
            "checked_on",
            "level",
            "unassigned",
        ],
        new,
    )
    if changed:
        # Nearly every stored light changes each day (its days left), so this is the big
        # write of the refresh: joined on the key, not Django's CASE per row.
        update_from_rows(Signal, [*FIELDS, "checked_on"], changed)
    result.created += len(new)
    result.updated += len(changed)


def _since(values: dict, today: datetime.date) -> datetime.date:
    """The day a newly seen light turned: an overdue thing the day after its due date, any
    other today."""
    due = values.get("due_on")
    if values["light"] == Light.RED and due is not None and due < today:
        return due + datetime.timedelta(days=1)
    return today


# -- escalation ------------------------------------------------------------------------------


def escalation_steps(district_id) -> dict[int, int]:
    rule = EscalationRule.objects.filter(district_id=district_id).first()
    return rule.after() if rule else dict(DEFAULT_ESCALATION)


def _recipients(project_ids) -> dict[int, dict[int, list]]:
    """For each project, the people of each step of the chain: its secretary, its manager,
    and its leader in charge (``projects.leaders``, the rule the receipts follow too:
    the designated contact leader, else the manager). Inactive people are nobody."""
    out: dict[int, dict[int, list]] = {pk: {lvl: [] for lvl in Level.values} for pk in project_ids}
    for member in ProjectTeamMember.objects.filter(
        project_id__in=project_ids,
        role__in=(TeamRole.SECRETARY, TeamRole.MANAGER),
        user__is_active=True,
    ).select_related("user"):
        level = Level.SECRETARY if member.role == TeamRole.SECRETARY else Level.MANAGER
        out[member.project_id][level].append(member.user)
    for project_id, leader in leaders_in_charge(project_ids).items():
        if leader is not None:
            out[project_id][Level.LEADER].append(leader)
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


UPDATE_SLICE = 900


def escalate(today: datetime.date | None = None, district_ids: list[int] | None = None) -> int:
    """Take every yellow or red signal of a project (of ``district_ids``; None: every
    district) as far up the chain as its age in working days allows; each step is told
    once. Returns how many signals moved up."""
    today = today or clock.today()
    # The ages are judged on plain rows; only the signals that move are read further.
    rows = list(
        in_districts(Signal.objects, district_ids)
        .filter(project__isnull=False, level__lt=Level.MEETING)
        .order_by("id")
        .values_list("pk", "district_id", "since", "level")
    )
    if not rows:
        return 0
    window = CalendarWindow(min(since for _pk, _d, since, _l in rows), today)
    steps = {d: escalation_steps(d) for d in {d for _pk, d, _s, _l in rows}}
    targets: dict[int, int] = {}
    for pk, district_id, since, level in rows:
        age = window.workdays_between(since, today)
        target = max(
            (lvl for lvl, after in steps[district_id].items() if age >= after),
            default=Level.NONE,
        )
        if target > level:
            targets[pk] = target
    if not targets:
        return 0
    ids = list(targets)
    moves = []  # (pk, district, project, title, project's name, url, light, target)
    for i in range(0, len(ids), UPDATE_SLICE):
        moves.extend(
            (*row, targets[row[0]])
            for row in Signal.objects.filter(pk__in=ids[i : i + UPDATE_SLICE])
            .order_by("id")
            .values_list(
                "pk", "district_id", "project_id", "title", "project__name", "url", "light"
            )
        )
    people = _recipients({m[2] for m in moves})
    organisers = _organisers({m[1] for m in moves})
    offices: dict[int, list] | None = None
    # The words of the messages, translated once (not per signal).
    lights = {value: str(label) for value, label in Signal._meta.get_field("light").choices}
    steps_named = {lvl: str(Level(lvl).label) for lvl in Level.values}
    unassigned_title = _(
        "%(light)s: %(what)s (%(project)s) — the %(step)s step has nobody; "
        "unassigned, sent to the leading group's office"
    )
    escalated_title = _("%(light)s: %(what)s (%(project)s) — escalated to the %(step)s")
    messages = []
    by_target: dict[tuple[int, bool], list[int]] = {}
    for pk, district_id, project_id, what, project_name, url, light, target in moves:
        if target == Level.MEETING:
            recipients = organisers[district_id]
        else:
            recipients = people[project_id][target]
        values = {
            "light": lights.get(light, light),
            "what": what,
            "project": project_name,
            "step": steps_named[target],
        }
        unassigned = not recipients
        if unassigned:
            # No step reaches nobody: the leading group's office takes it, and the board
            # shows it unassigned until a later step has a person.
            if offices is None:
                offices = leading_group_office_staff({m[1] for m in moves})
            recipients = offices[district_id]
            title = unassigned_title
        else:
            title = escalated_title
        messages.append((recipients, "signal.escalated", title % values, "", url))
        by_target.setdefault((target, unassigned), []).append(pk)
    with transaction.atomic():
        notify_many(messages)
        # one UPDATE per step reached (in slices under SQLite's parameter cap), not a
        # CASE per row as bulk_update writes it
        for (target, unassigned), ids in by_target.items():
            for i in range(0, len(ids), UPDATE_SLICE):
                Signal.objects.filter(pk__in=ids[i : i + UPDATE_SLICE]).update(
                    level=target, escalated_on=today, unassigned=unassigned
                )
    return len(moves)


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
    Returns the number of rows written."""
    today = today or clock.today()
    lights = project_lights(district_ids) if lights is None else lights
    scope = Project.objects.all() if projects is None else projects
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
    """Every scan of the platform, in order, then the signals and their escalation
    (SPEC §19 ``daily_scan``). Returns one (step, what it did) line per step. The steps are
    named in ``settings.DAILY_SCAN_STEPS`` (dotted paths of functions taking ``today`` and
    the keyword ``district_ids``).

    ``district_ids``: scan only these districts (None: every district). Every step reads
    and writes the rows of those districts only, so the scan partitions by district: the
    districts scanned one after another (or side by side) leave what one whole scan
    leaves (``tests/test_scan_partition.py``)."""
    today = today or clock.today()
    report = []
    for path in settings.DAILY_SCAN_STEPS:
        step = import_string(path)
        label = path.removeprefix("zhaoshang.").replace(".services.", ".")
        report.append((label, str(step(today, district_ids=district_ids))))
    refreshed = refresh_signals(today, district_ids=district_ids)
    report.append(
        (
            "signals",
            f"created {refreshed.created}, updated {refreshed.updated}, removed {refreshed.removed}",
        )
    )
    report.append(("escalation", f"escalated {escalate(today, district_ids)}"))
    report.append(("lights", f"recorded {record_lights(today, district_ids=district_ids)}"))
    return report
