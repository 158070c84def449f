"""The daily scan's breaches written by the database (issue 19): the obligations not met by
their due date are found and recorded by one ``INSERT … SELECT`` (the breach dated the first
working day after its due date, not after today), then their events, the departments'
ledger entries and the messages are written from the breaches just recorded — the events
and entries by ``INSERT … SELECT`` too, with the summary built in SQL from the translated
sentence. An obligation with a blank title is phrased by the model
(``Obligation.description``): those few go the row-by-row way (``ledger._after_breaches``
steps), as before. ``tests/test_breaches_sql.py`` checks both write what ``record_breach``,
one obligation at a time, writes."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject, Least, Substr
from django.utils.translation import gettext as _

from zhaoshang.agreements.choices import Party
from zhaoshang.agreements.models import Obligation, ObligationBreach
from zhaoshang.assessment.models import RuleCode
from zhaoshang.assessment.services import insert_rule_entries
from zhaoshang.core import clock, roles
from zhaoshang.core.links import url_of
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.setwise import analyze_after, insert_select, text
from zhaoshang.notifications.services import notify_many
from zhaoshang.org.models import User
from zhaoshang.projects.choices import TeamRole
from zhaoshang.projects.models import ProjectTeamMember
from zhaoshang.workdays.models import Day
from zhaoshang.workdays.services import ensure_range

# What ``_breach_summary`` says, in SQL (the words translated once).
SUMMARY = "“%(title)s” of %(project)s was not met by %(due)s."


def _next_workday(field: str) -> Subquery:
    """SQL: the first working day after the date in ``field`` (``add_workdays(d, 1)``)."""
    return Subquery(
        Day.objects.filter(is_workday=True, date__gt=OuterRef(field))
        .order_by("date")
        .values("date")[:1]
    )


def insert_breaches(late, now: datetime.datetime) -> int:
    """Record the breach of each obligation of ``late`` (``Obligation.objects.late``,
    without a breach yet) in one ``INSERT … SELECT``, in the order of the obligations
    (their keys): what reads the new breaches then (their events, entries and messages)
    reads the obligations and projects in their tables' order. Raises IntegrityError when
    another scan recorded one meanwhile."""
    ensure_range(clock.today())  # the working day after each due date is indexed
    rows = (
        late.annotate(
            b_obligation=F("pk"),
            b_project=F("agreement__project_id"),
            b_enterprise=F("agreement__project__enterprise_id"),
            b_occurred_on=Least(_next_workday("due_on"), Value(clock.today())),
            b_recorded_at=Value(now, output_field=ObligationBreach._meta.get_field("recorded_at")),
        )
        .order_by("pk")
        .values_list(
            "district_id",
            "b_obligation",
            "b_project",
            "party",
            "department_id",
            "b_enterprise",
            "due_on",
            "b_occurred_on",
            "b_recorded_at",
        )
    )
    from zhaoshang.agreements.services.ledger import BREACH_FIELDS

    with transaction.atomic():
        return insert_select(ObligationBreach, BREACH_FIELDS, rows)


def _summary(limit: int | None = None):
    """SQL on breaches: ``_breach_summary`` of the breach's (titled) obligation (cut at
    ``limit`` characters, as an event's summary is)."""
    said = text(_(SUMMARY), title="obligation__title", project="project__name", due="due_on")
    return said if limit is None else Substr(said, 1, limit)


def write_after(new, now: datetime.datetime, recorded=None) -> int:
    """The events, the departments' ledger entries and the messages of the breaches
    ``new`` (just recorded, their obligations titled), as ``ledger._after_breaches`` writes
    them. ``recorded``: a superset of ``new`` on the breaches' own columns (all those just
    recorded), whose departments and projects the people to tell are looked up by. Returns
    how many breaches they were (one event each)."""
    ct = ContentType.objects.get_for_model(Obligation)
    events = (
        new.annotate(
            e_at=Value(now, output_field=DomainEvent._meta.get_field("occurred_at")),
            e_verb=Value("obligation.missed"),
            e_type=Value(ct.pk),
            e_summary=_summary(300),
            e_data=JSONObject(party=F("party")),
        )
        .order_by("pk")
        .values_list(
            "e_at", "district_id", "e_verb", "e_type", "obligation_id", "e_summary", "e_data"
        )
    )
    titled = insert_select(
        DomainEvent,
        ["occurred_at", "district_id", "verb", "content_type_id", "object_id", "summary", "data"],
        events,
    )
    owed = new.filter(party=Party.DEPARTMENT)
    insert_rule_entries(
        RuleCode.MISSED_OBLIGATION,
        Obligation,
        owed.annotate(
            hit_district=F("department__district_id"),
            hit_department=F("department_id"),
            hit_evidence=F("obligation_id"),
            hit_reason=_summary(),
            hit_occurred_on=F("occurred_on"),
            hit_due_on=F("due_on"),
        ).order_by("pk"),
    )
    _notify(new, new if recorded is None else recorded)
    return titled


def _notify(new, recorded) -> None:
    """A department's breach to its handlers, the enterprise's to the project's manager
    and secretary (``ledger._department_handlers``, ``_managers_by_project``): the
    messages of the breaches someone is told of, read as plain rows. The people are
    looked up by the departments and projects of ``recorded`` (a superset of ``new`` on
    the breaches' own columns: the lists of keys read off the breaches alone, not each
    breach's obligation probed for its title — 0.03 s of each lookup at 150,000 breaches);
    only ``new``'s are told."""
    owed = new.filter(party=Party.DEPARTMENT)
    handling = User.objects.filter(groups__name=roles.Role.DEPARTMENT, is_active=True)
    handlers: dict[int, list] = {}
    owing = recorded.filter(party=Party.DEPARTMENT).values("department_id")
    for user in handling.filter(department_id__in=owing).distinct():
        handlers.setdefault(user.department_id, []).append(user)
    team = ProjectTeamMember.objects.filter(
        role__in=[TeamRole.MANAGER, TeamRole.SECRETARY], user__is_active=True
    )
    managers: dict[int, list] = {}
    members = team.filter(
        project_id__in=recorded.exclude(party=Party.DEPARTMENT).values("project_id")
    ).select_related("user")
    for member in members.order_by("project_id", "role", "id"):
        managers.setdefault(member.project_id, []).append(member.user)
    if not handlers and not managers:
        return
    # the breaches someone is told of, by the same conditions as subqueries (not the keys
    # found above as parameters: a district's projects with a manager are tens of
    # thousands, beyond what one statement may bind)
    told = owed.filter(department_id__in=handling.values("department_id")) | new.filter(
        project_id__in=team.values("project_id")
    ).exclude(party=Party.DEPARTMENT)
    link = url_of("agreements:obligation")
    rows = (
        told.annotate(m_summary=_summary())
        .order_by("pk")
        .values_list("obligation_id", "party", "department_id", "project_id", "m_summary")
    )
    notify_many(
        (
            handlers.get(department_id, [])
            if party == Party.DEPARTMENT
            else managers.get(project_id, []),
            "obligation.missed",
            summary,
            "",
            link(obligation_id),
        )
        for obligation_id, party, department_id, project_id, summary in rows
    )


def record_in_sql(late, fallback) -> tuple[int, int, list[Obligation]]:
    """Record the breaches of ``late`` and write what follows them. Returns (breaches,
    departments' breaches, the untitled obligations whose events, entries and messages the
    caller writes row by row). ``fallback(obligations)``: the one-by-one path, taken when
    another scan recorded some breaches meanwhile."""
    now = clock.now()
    mark = ObligationBreach.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        written = insert_breaches(late, now)
    except IntegrityError:
        return fallback(list(late.select_related("agreement__project", "department")))
    if not written:
        return 0, 0, []
    analyze_after(ObligationBreach, written)
    new = ObligationBreach.objects.filter(pk__gt=mark, recorded_at=now)
    titled = write_after(new.exclude(obligation__title=""), now, new)
    # the untitled, when some are (a breach without its event): the new breaches'
    # obligations probed for their title
    untitled = []
    if titled < written:
        untitled = list(
            Obligation.objects.filter(title="", pk__in=new.values("obligation_id"))
            .select_related("agreement__project", "department")
            .order_by("due_on", "pk")
        )
    owed = new.filter(party=Party.DEPARTMENT).count()
    return written, owed, untitled
