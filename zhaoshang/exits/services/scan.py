"""The scan (computed daily): raise a warning for each project whose exit clock has run
out without the rule's fact (the agreement's date or the rule table's, moved out by the
government's held days), clear warnings whose project met it since, keep each open
warning's clock up to date, put aside (exclude) a warning whose clock a government delay
moved back ahead or holds, and put it back once the moved date has passed."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat, JSONObject, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.bulk import insert_rows
from zhaoshang.core.links import url_of
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.querysets import in_districts
from zhaoshang.core.services import lock_for_update
from zhaoshang.core.setwise import (
    AddMonths,
    Unindexed,
    analyze_after,
    compiled,
    connection_for,
    date_param,
    insert_history,
    insert_select,
    plain_rows,
)
from zhaoshang.exits.choices import ANCHOR_FIELDS, CLEARABLE_STATUSES, DueSource, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitWarning
from zhaoshang.exits.services.base import _moment, _people_to_tell, _save, _supervisors
from zhaoshang.exits.services.dates import (
    ExitClock,
    compute_clock,
    exit_clock,
    exit_clocks,
    land_rule_of,
    load_blockers,
    with_contract_dates,
)
from zhaoshang.exits.services.rules import (
    LAND_FACT_FIELDS,
    _ensure_rules_everywhere,
    _fact_text,
    fact_met_q,
    land_q,
    last_anchor_due_before,
)
from zhaoshang.notifications.services import notify, notify_many
from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind, TeamRole
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.workdays import services as workdays

# What a candidate's clock, warning and message read of its project.
CLOCK_FIELDS = (
    "id",
    "district_id",
    "code",
    "name",
    "signed_on",
    *dict.fromkeys([*ANCHOR_FIELDS.values(), *LAND_FACT_FIELDS]),
)
# Statuses whose clock the scan keeps up to date (before a clearance decision).
CLOCKED_STATUSES = (WarningStatus.WARNING, WarningStatus.NOTICE, WarningStatus.EXCLUDED)


def _clock_fields(found: ExitClock) -> dict:
    return {
        "due_source": found.source,
        "anchor_on": found.anchor_on,
        "due_on": found.due_on,
        "effective_due_on": found.effective_due_on,
        "delay_workdays": found.held_workdays,
        "delay_causes": [c.as_dict() for c in found.causes],
        "held_since": found.held_since,
    }


def raise_warning(
    project,
    rule: ExitRule,
    *,
    today: datetime.date | None = None,
    raised_on=None,
    notify_people: bool = True,
    found: ExitClock | None = None,
) -> ExitWarning:
    """Raise the warning of ``project`` under ``rule`` (the scan calls it for each project
    due, with its clock ``found``) and tell the project's secretary and manager and the
    supervision office (``notify_people=False``: a loader of past data, whose people were
    told long ago). A warning of the government's rule (签约未供地) says so: the land is
    owed to the enterprise, nothing is asked of it."""
    today = today or clock.today()
    raised_on = raised_on or today
    found = found or exit_clock(project, rule, today)
    if found.due_on is None:
        raise ValueError(
            f"{project.code} has no {ANCHOR_FIELDS[rule.anchor]} and no agreed date: no clock"
        )
    due_on = found.effective_due_on
    with transaction.atomic():
        warning = ExitWarning.objects.create(
            district_id=project.district_id,
            project=project,
            rule=rule,
            raised_on=raised_on,
            **_clock_fields(found),
        )
        log_event(
            None,
            "exit_warning.raised",
            warning,
            f"{project.code} {rule.get_code_display()}",
            occurred_at=_moment(raised_on, today),
            due_on=due_on,
        )
        if not notify_people:
            return warning
        title, body = _raised_message(project, rule, found)
        notify(
            _people_to_tell(project, project.district_id),
            "exit_warning.raised",
            title,
            body=body,
            url=warning.get_absolute_url(),
        )
    return warning


def _raised_message(project, rule: ExitRule, found: ExitClock) -> tuple[str, str]:
    """The title and body of the message a raised warning sends."""
    title = (
        _("Land not delivered for %(project)s: the government's delay, not the enterprise's")
        if rule.is_government
        else _("Exit warning for %(project)s: %(rule)s")
    )
    body = _("Due on %(date)s, counted from %(anchor)s.") % {
        "date": found.effective_due_on.isoformat(),
        "anchor": found.anchor_on.isoformat(),
    }
    return title % {"project": project.name, "rule": rule.get_code_display()}, body


@transaction.atomic
def raise_warnings(rule: ExitRule, due: list, today: datetime.date) -> int:
    """``raise_warning`` for many projects of one rule at once (the daily scan's): the
    warnings as plain rows in one prepared INSERT (their clocks are computed in Python),
    their history rows and events by ``INSERT … SELECT`` from the warnings just written,
    and the messages of the projects someone is told of — the same rows the one-by-one
    path writes. ``due``: (project, clock) pairs. Should another scan have raised some
    meanwhile, the unique constraint refuses the batch and they are raised one by one,
    skipping those. Returns how many."""
    due = [(p, found) for p, found in due if found.due_on is not None]
    if not due:
        return 0
    now = clock.now()
    mark = ExitWarning.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    template = ExitWarning(district_id=rule.district_id, rule=rule, raised_on=today)
    fields = [f for f in ExitWarning._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    base = [getattr(template, name) for name in names]
    at = {name: i for i, name in enumerate(names)}

    def rows():
        for project, found in due:
            row = list(base)
            row[at["district_id"]] = project.district_id
            row[at["project_id"]] = project.pk
            for name, value in _clock_fields(found).items():
                row[at[name]] = value
            yield row

    try:
        with transaction.atomic():
            raised = insert_rows(ExitWarning, names, rows())
    except IntegrityError:  # a scan running at the same time raised some (uniq_exit_warning)
        raised = 0
        for project, found in due:
            if isinstance(project, ClockedProject):
                project = project.instance()
            try:
                raise_warning(project, rule, today=today, found=found)
            except IntegrityError:
                continue
            raised += 1
        return raised
    new = _just_raised(mark, rule, template.created_at)
    _after_raised(rule, new, raised, now)
    _tell_raised(rule, due, new)
    return raised


def _just_raised(mark: int, rule: ExitRule, created_at):
    """The warnings of ``rule`` just written (after the key ``mark``, at ``created_at``): read
    off the keys' range, in their order — the rule's index would find them out of order
    and their history and events would sort 100,000 rows again (SQLite)."""
    return ExitWarning.objects.alias(zs_rule=Unindexed(F("rule_id"))).filter(
        pk__gt=mark, zs_rule=rule.pk, created_at=created_at
    )


def _after_raised(rule: ExitRule, new, raised: int, now: datetime.datetime) -> None:
    """The history rows and the events of the warnings ``new`` (just raised under
    ``rule``), each by ``INSERT … SELECT`` from them."""
    analyze_after(ExitWarning, raised)
    insert_history(ExitWarning, new, timezone.now())
    label = str(rule.get_code_display())
    ct = ContentType.objects.get_for_model(ExitWarning)
    insert_select(
        DomainEvent,
        ["occurred_at", "district_id", "verb", "content_type_id", "object_id", "summary", "data"],
        new.annotate(
            e_at=Value(now, output_field=DomainEvent._meta.get_field("occurred_at")),
            e_verb=Value("exit_warning.raised"),
            e_type=Value(ct.pk),
            e_summary=Substr(
                Concat(F("project__code"), Value(f" {label}"), output_field=CharField()), 1, 300
            ),
            e_data=JSONObject(due_on=F("effective_due_on")),
        )
        .order_by("pk")
        .values_list("e_at", "district_id", "e_verb", "e_type", "pk", "e_summary", "e_data"),
    )


def _teams(rule: ExitRule, new) -> tuple[list, dict[int, list]]:
    """Who is told of the warnings ``new``: the district's supervision office, and each
    project's secretary and manager (one query for the teams)."""
    supervisors = _supervisors(rule.district_id)
    team: dict[int, list] = {}
    members = ProjectTeamMember.objects.filter(
        project_id__in=new.values("project_id"),
        role__in=(TeamRole.SECRETARY, TeamRole.MANAGER),
    ).select_related("user")
    for member in members.order_by("project", "role", "id"):
        team.setdefault(member.project_id, []).append(member.user)
    return supervisors, team


def _tell_raised(rule: ExitRule, due: list, new) -> None:
    """The messages of raised warnings: each project's secretary and manager and the
    district's supervision office (``_people_to_tell``), for the projects someone is told
    of (one query for the teams)."""
    supervisors, team = _teams(rule, new)
    if not supervisors and not team:
        return
    warning_of = dict(new.values_list("project_id", "pk"))
    link = url_of("exits:detail")  # ``get_absolute_url``, reversed once
    messages = []
    for project, found in due:
        people = [*team.get(project.pk, []), *supervisors]
        if not people:
            continue
        title, body = _raised_message(project, rule, found)
        messages.append((people, "exit_warning.raised", title, body, link(warning_of[project.pk])))
    notify_many(messages)


@transaction.atomic
def raise_government_warnings(rule: ExitRule, today: datetime.date) -> int:
    """The warnings of the government's own rule (签约未供地) due as of ``today``, raised by
    the database: nothing holds that rule's clock, so the candidates, their clocks and the
    warnings are one ``INSERT … SELECT`` (no project read into Python); their history rows
    and events follow from the warnings written, and the messages are read for the
    projects someone is told of — what ``raise_warnings`` writes from the clocks computed
    in Python (``tests/test_scan.py`` compares them). Should another scan have raised some
    meanwhile, it goes the ``raise_warnings`` way. Returns how many."""
    if not rule.is_government:
        raise ValueError("only the government's rule has clocks nothing holds")
    now = clock.now()
    mark = ExitWarning.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    template = ExitWarning(district_id=rule.district_id, rule=rule, raised_on=today)
    try:
        with transaction.atomic():
            raised = _insert_government_warnings(rule, today, template)
    except IntegrityError:  # a scan running at the same time raised some (uniq_exit_warning)
        return raise_warnings(rule, _candidates(rule, today, plain=True), today)
    if not raised:
        return 0
    new = _just_raised(mark, rule, template.created_at)
    _after_raised(rule, new, raised, now)
    _tell_raised_rows(rule, new)
    return raised


# A government rule's candidate, as the statement below reads it (``zs_c``).
_CANDIDATE = ("id", "district_id", "anchor", "signed_on", "contract_due", "agreement_signed_on")


def _insert_government_warnings(rule: ExitRule, today: datetime.date, template) -> int:
    """The statement of ``raise_government_warnings``: each candidate project
    (``_candidate_projects``, its agreement's dates computed once, in a materialized
    step) with its clock as ``dates.compute_clock`` gives it under the government's rule
    — nothing holds it, so the effective due date is the due date: the agreement's date
    for the land, counted from the agreement's signing (else the project's; never after
    the date itself), else the rule table's anchor plus its months (month ends clamped,
    ``AddMonths``) — written as a warning when that date has passed, in the order of the
    projects (as ``raise_warnings`` writes them). The other columns are the template's.
    Returns how many."""
    connection = connection_for(ExitWarning)
    quote = connection.ops.quote_name
    field = ANCHOR_FIELDS[rule.anchor]
    projects, _land_rule = _candidate_projects(rule, today, due_only=False)
    inner = projects.annotate(w_rule_due=AddMonths(F(field), rule.months)).values_list(
        "pk", "district_id", field, "signed_on", "contract_due", "agreement_signed_on", "w_rule_due"
    )
    inner_sql, params = compiled(inner, connection)
    query = inner.query
    compiler = query.get_compiler(connection=connection)
    contract = "zs_c.contract_due"
    began = f"COALESCE(zs_c.agreement_signed_on, zs_c.signed_on, {contract})"
    due = f"COALESCE({contract}, zs_c.rule_due)"
    computed = {
        "district_id": ("zs_c.district_id", []),
        "project_id": ("zs_c.id", []),
        "anchor_on": (
            f"CASE WHEN {contract} IS NULL THEN zs_c.anchor WHEN {began} < {contract} "
            f"THEN {began} ELSE {contract} END",
            [],
        ),
        "due_on": (due, []),
        "effective_due_on": (due, []),
        "due_source": (
            f"CASE WHEN {contract} IS NULL THEN %s ELSE %s END",
            [str(DueSource.RULE), str(DueSource.CONTRACT)],
        ),
    }
    columns, selected = [], []
    for model_field in ExitWarning._meta.concrete_fields:
        if model_field.primary_key:
            continue
        name = model_field.attname
        if name in computed:
            sql, sql_params = computed[name]
        else:
            value = getattr(template, name)
            if value is None and model_field.null:
                continue  # the column's NULL, as the row-by-row insert leaves it
            constant = Value(value, output_field=model_field).resolve_expression(query)
            sql, sql_params = constant.as_sql(compiler, connection)
        columns.append(quote(model_field.column))
        selected.append(sql)
        params = (*params, *sql_params)
    names = ", ".join([*_CANDIDATE, "rule_due"])
    with connection.cursor() as cursor:
        cursor.execute(
            # the statement starts with INSERT (sqlite3 reports its rowcount only then); the
            # candidates are read back in the order the materialized step wrote them (the
            # projects'), not sorted again (0.11 s of 0.64 s at 100,000 projects): that order
            # decides only the new warnings' ids
            f"INSERT INTO {quote(ExitWarning._meta.db_table)} ({', '.join(columns)}) "
            f"WITH zs_c ({names}) AS MATERIALIZED ({inner_sql}) "
            f"SELECT {', '.join(selected)} FROM zs_c WHERE {due} < %s",
            [*params, date_param(connection, today)],
        )
        return cursor.rowcount


def _tell_raised_rows(rule: ExitRule, new) -> None:
    """``_tell_raised`` for warnings written by the database: the messages of the
    projects someone is told of, from the warnings' rows."""
    supervisors, team = _teams(rule, new)
    if not supervisors and not team:
        return
    rows = new.order_by("project_id")
    if not supervisors:
        rows = rows.filter(project_id__in=list(team))
    link = url_of("exits:detail")
    messages = []
    for pk, project_id, name, effective_due_on, anchor_on in rows.values_list(
        "pk", "project_id", "project__name", "effective_due_on", "anchor_on"
    ).iterator(chunk_size=2000):
        people = [*team.get(project_id, []), *supervisors]
        if not people:
            continue
        title, body = _raised_message(
            SimpleNamespace(name=name),
            rule,
            SimpleNamespace(effective_due_on=effective_due_on, anchor_on=anchor_on),
        )
        messages.append((people, "exit_warning.raised", title, body, link(pk)))
    notify_many(messages)


def clear_warning(
    warning: ExitWarning, *, today: datetime.date | None = None, on=None, note: str = ""
) -> ExitWarning:
    """Close ``warning``: its project met the rule's condition (the scan calls it)."""
    today = today or clock.today()
    on = on or today
    with transaction.atomic():
        warning = lock_for_update(warning)
        if warning.status not in CLEARABLE_STATUSES:
            return warning
        warning.status = WarningStatus.CLEARED
        warning.cleared_on = on
        warning.cleared_note = note[:200]
        _save(warning, None, "exit_warning.cleared", note, occurred_at=_moment(on, today))
    return warning


class ClockedProject:
    """A project as its clock, its warning and its message read it (``CLOCK_FIELDS`` and
    the clock's annotations, ``with_contract_dates``): a plain row, not a model instance —
    the scan reads thousands. ``instance()``: the project itself, for the one-by-one path."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    @property
    def pk(self) -> int:
        return self.id

    def get_absolute_url(self) -> str:
        return _project_url()(self.id)

    def instance(self) -> Project:
        return Project.objects.get(pk=self.id)


def _project_url():
    return url_of("projects:detail")  # ``Project.get_absolute_url``, reversed once


def _candidate_projects(rule: ExitRule, today: datetime.date, due_only: bool = True):
    """The query of the projects of the rule's district that may be due under it as of
    ``today`` (``_candidates``, before the clocks are computed), annotated as their clocks
    need (``with_contract_dates``), in the order of their ids; and the district's land
    rule (None for the government's rule). ``due_only=False``: without the condition on
    the due date before any hold (the caller judges the due date itself)."""
    field = ANCHOR_FIELDS[rule.anchor]
    projects = (
        _exitable(Project.objects.filter(district_id=rule.district_id))
        .exclude(fact_met_q(rule))
        .exclude(pk__in=ExitWarning.objects.filter(rule=rule).values("project_id"))
    )
    if rule.is_government:
        projects = projects.filter(signed_on__isnull=False)
        land_rule = None
    else:
        projects = projects.filter(land_q())
        land_rule = land_rule_of(rule.district_id)
    found = with_contract_dates(projects.only(*CLOCK_FIELDS), rule, land_rule).order_by("id")
    if due_only:
        # The due date before any hold has passed: the agreement's, else the rule's.
        found = found.filter(
            Q(contract_due__lt=today)
            | Q(
                contract_due__isnull=True,
                **{f"{field}__lte": last_anchor_due_before(today, rule.months)},
            )
        )
    return found, land_rule


def _candidates(
    rule: ExitRule, today: datetime.date, plain: bool = False
) -> list[tuple[Project, ExitClock]]:
    """The projects of the rule's district whose clock under it has run out as of
    ``today`` without its fact, with no warning under it yet, each with its clock. An
    enterprise rule needs the land (a project without it is the government's rule's); the
    government's rule needs a signed project without land. A few queries. ``plain``: the
    projects as ``ClockedProject`` rows (the scan's), not model instances."""
    found, land_rule = _candidate_projects(rule, today)
    if plain:
        names = [*CLOCK_FIELDS, *found.query.annotations]
        rows = [
            ClockedProject(dict(zip(names, values, strict=True)))
            for values in plain_rows(found.values_list(*names))
        ]
    else:
        rows = list(found)
    blockers = {} if rule.is_government else load_blockers(rows, today, land_rule)
    window = workdays.CalendarWindow(today, today)  # one read of the calendar for all
    found = [(p, compute_clock(p, rule, blockers.get(p.pk, []), today, window)) for p in rows]
    return [(p, c) for p, c in found if c.is_due(today)]


def _refresh(rule: ExitRule, met, today: datetime.date, counts: dict) -> None:
    """Keep the clock of each warning still before a clearance decision up to date (the
    held intervals grow while a blocker is open); a warning whose clock a government delay
    moved back ahead of today, or holds, is excluded (非企业自身原因) until it runs out.
    The clock's figures are derived: they change without a new version; the exclusion and
    the return are events."""
    if rule.is_government:
        return  # the government's own rule has no enterprise's clock to hold
    warnings = list(
        ExitWarning.objects.filter(rule=rule, status__in=CLOCKED_STATUSES)
        .exclude(project__in=met)
        .order_by("id")
    )
    if not warnings:
        return
    clocks = exit_clocks(
        rule, Project.objects.filter(pk__in=[w.project_id for w in warnings]), today
    )
    warnings = [w for w in warnings if clocks[w.project_id].due_on is not None]
    changed: list[ExitWarning] = []
    names: set[str] = set()
    for warning in warnings:
        fields = _clock_fields(clocks[warning.project_id])
        moved = {k: v for k, v in fields.items() if getattr(warning, k) != v}
        for name, value in moved.items():
            setattr(warning, name, value)
        if moved:
            changed.append(warning)
            names.update(moved)
    if changed:
        ExitWarning.objects.bulk_update(changed, sorted(names), batch_size=500)
    for warning in warnings:
        found = clocks[warning.project_id]
        if warning.status == WarningStatus.WARNING and not found.is_due(today):
            _exclude(warning, found, today)
            counts["held"] += 1
        elif warning.status == WarningStatus.EXCLUDED and found.is_due(today):
            _reopen(warning, today)
            counts["reopened"] += 1


def scan(
    today: datetime.date | None = None, district_ids: list[int] | None = None
) -> dict[str, int]:
    """Raise, clear, hold and reopen exit warnings as of ``today`` (SPEC §11, computed
    daily). Returns the counts; a second run on the same day changes nothing.
    ``district_ids``: only these districts' rules and projects (None: every district)."""
    today = today or clock.today()
    counts = {
        "rules": _ensure_rules_everywhere(district_ids),
        "raised": 0,
        "cleared": 0,
        "held": 0,
        "reopened": 0,
    }
    rules = in_districts(ExitRule.objects.active(), district_ids)
    landed = None  # the districts an enterprise rule may warn in, read once for every rule
    for rule in rules.order_by("district_id", "months", "id"):
        met = Project.objects.filter(fact_met_q(rule)).values("pk")
        for warning in (
            ExitWarning.objects.filter(rule=rule, status__in=CLEARABLE_STATUSES, project__in=met)
            .select_related("project")
            .order_by("id")
        ):
            clear_warning(warning, today=today, note=_fact_text(rule, warning.project))
            counts["cleared"] += 1
        _refresh(rule, met, today, counts)
        if rule.is_government:  # nothing holds its clocks: raised by the database
            counts["raised"] += raise_government_warnings(rule, today)
        else:
            if landed is None:
                landed = _districts_with_land(district_ids)
            if rule.district_id in landed:  # else no candidate (``_candidate_projects``)
                counts["raised"] += raise_warnings(
                    rule, _candidates(rule, today, plain=True), today
                )
    return counts


def _districts_with_land(district_ids) -> set[int]:
    """The districts (of ``district_ids``; None: every district) with an investment project
    not past its exit that has its land: an enterprise rule's candidates are among these
    projects (``_candidate_projects``), so a district without one has none under any of
    its rules — one query for all of them, rather than each rule's own (its clocks'
    subqueries compiled and its district's projects read, to find none: 0.06 s each at
    100,000 projects)."""
    projects = _exitable(in_districts(Project.objects.all(), district_ids)).filter(land_q())
    return set(projects.order_by().values_list("district_id", flat=True).distinct())


def _exitable(projects):
    """The investment projects of ``projects`` not past their exit: those a rule's clock
    may run for (``_candidate_projects``, ``_districts_with_land``)."""
    return projects.filter(kind=ProjectKind.INVESTMENT).exclude(stage__in=EXIT_STAGES)


def _exclude(warning: ExitWarning, found: ExitClock, today: datetime.date) -> None:
    """A government delay moved the clock back ahead of today (or holds it): the warning
    is not the enterprise's own until the moved date passes."""
    with transaction.atomic():
        warning = lock_for_update(warning)
        if warning.status != WarningStatus.WARNING:
            return
        warning.status = WarningStatus.EXCLUDED
        warning.excluded_on = today
        if found.held_since is not None:
            summary = _("The government has held the clock since %(date)s.") % {
                "date": found.held_since.isoformat()
            }
        else:
            summary = _("%(days)s working days held; due date moved to %(date)s") % {
                "days": found.held_workdays,
                "date": found.effective_due_on.isoformat(),
            }
        _save(warning, None, "exit_warning.excluded", summary, workdays=found.held_workdays)


def _reopen(warning: ExitWarning, today: datetime.date) -> None:
    """An excluded warning whose moved due date has passed without the condition met, with
    nothing holding its clock, counts again (the government delay is already taken off)."""
    with transaction.atomic():
        warning = lock_for_update(warning)
        if warning.status != WarningStatus.EXCLUDED:
            return
        warning.status = WarningStatus.WARNING
        _save(
            warning,
            None,
            "exit_warning.reopened",
            _("The moved due date %(date)s has passed.")
            % {"date": warning.effective_due_on.isoformat()},
        )
