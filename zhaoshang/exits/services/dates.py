"""The exit clock of a project under a rule: when its warning is due, from what, and how
long the government held it.

- **Due date.** The investment agreement's own date for the rule's fact when it has one
  (``Term.START`` for 三个月不开工, ``Term.PRODUCTION`` for 两年不投产, the latest of the
  tax, intensity and output terms for 三年不见效, the earliest land delivery a party owes
  for 签约未供地), counted from the agreement's signing; else the rule table's: the anchor
  date (land delivery; signing for 签约未供地) plus the rule's months, month ends clamped.
- **Held intervals.** Government-side blockers of the project, each held from the day after
  its start up to and including the day it ended (or today, while it is open): an approval
  case from its due date to its completion; a department's obligation from its due date to
  the day it was met; a commitment milestone from its due date to its completion; a problem
  assigned to a department from the day it was raised to the day it was solved or closed;
  the land, from the day it was owed (the agreement's date, else signing plus the
  签约未供地 rule's months) to its delivery.
- **Effective due date.** The enterprise's clock runs from the anchor and stops on every
  working day an interval holds it (a day held by two counts once): the effective due date
  is the day its working days run out — the due date moved out by the held working days
  that fall before it (``E = add_workdays(due, held(anchor, E))``). A blocker opened after
  the effective due date does not move it (the enterprise was already late). While a
  blocker that started before it is still open the clock is held (``held_since``) and no
  warning is due; the date shown is the earliest it can be, were the blocker to end today.

The government's own rule (签约未供地) is not held by anything.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import DateField, F, Max, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from zhaoshang.agreements.choices import ObligationKind, Party, Term
from zhaoshang.agreements.models import Milestone, Obligation
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.exits.choices import (
    ANCHOR_FIELDS,
    ClearingFact,
    DelayKind,
    DueSource,
    RuleCode,
)
from zhaoshang.exits.models import ExitRule
from zhaoshang.exits.services.rules import LAND_FACT_FIELDS, add_months
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project
from zhaoshang.service.models import Need
from zhaoshang.workdays import services as workdays

# The agreement's terms that give each clearing fact its date, and how several combine.
CONTRACT_TERMS: dict[str, tuple[tuple[str, ...], type]] = {
    ClearingFact.STARTED: ((Term.START,), Min),
    ClearingFact.PRODUCTION: ((Term.PRODUCTION,), Min),
    # Any of the benefit terms satisfies the rule: it fails once the last of them is due.
    ClearingFact.BENEFIT: ((Term.TAX, Term.INTENSITY, Term.OUTPUT), Max),
}
MAX_ROUNDS = 100


@dataclass(frozen=True)
class DelayCause:
    """A government-side blocker that held the project's clock: held on the working days
    after ``start`` up to and including ``end`` (today while it is open, ``done_on`` None);
    ``workdays`` are those that fall in the warning's window."""

    kind: str
    title: str
    department: str
    due_on: datetime.date
    done_on: datetime.date | None
    start: datetime.date
    end: datetime.date
    workdays: int
    url: str

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "department": self.department,
            "due_on": self.due_on.isoformat(),
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "open": self.is_open,
            "workdays": self.workdays,
            "url": self.url,
        }


@dataclass
class ExitClock:
    """A project's clock under a rule as of ``today`` (see the module docstring)."""

    project_id: int
    rule: ExitRule
    source: str
    anchor_on: datetime.date | None
    due_on: datetime.date | None
    effective_due_on: datetime.date | None
    held_workdays: int = 0
    held_since: datetime.date | None = None
    causes: list[DelayCause] = field(default_factory=list)

    @property
    def source_label(self) -> str:
        return str(DueSource(self.source).label)

    def is_due(self, today: datetime.date) -> bool:
        """Whether the effective due date has passed and nothing holds the clock now."""
        return (
            self.effective_due_on is not None
            and self.effective_due_on < today
            and self.held_since is None
        )


def _contract_due(rule: ExitRule):
    """The agreement's date for the rule's fact, as a subquery on ``Project`` rows joined
    to their agreement (``agreement__id``: the agreement's obligations read off their
    own index, not the agreement looked up again by its project)."""
    if rule.clears_by == ClearingFact.LAND:
        owed = Obligation.objects.filter(
            kind=ObligationKind.STAGE, target_stage=Stage.LAND_DELIVERED
        )
        combine = Min
    else:
        terms, combine = CONTRACT_TERMS[rule.clears_by]
        owed = Obligation.objects.filter(term__in=terms, party=Party.ENTERPRISE)
    rows = (
        owed.filter(agreement_id=OuterRef("agreement__id"), waived_on__isnull=True)
        .order_by()
        .values("agreement_id")
        .annotate(day=combine("due_on"))
        .values("day")
    )
    return Subquery(rows[:1], output_field=DateField())


def with_contract_dates(projects, rule: ExitRule, land_rule: ExitRule | None = None):
    """``projects`` annotated with what their clocks under ``rule`` need: ``contract_due``
    (the agreement's date for the rule's fact), ``agreement_signed_on`` and
    ``land_contract_due`` (the land delivery the agreement owes, for the land interval).
    A project has one agreement at most: it is joined once, its date read off the row and
    its obligations found by its key (two lookups of it by the project, one per
    subquery, were 0.06 s of the government's warnings at 100,000 projects)."""
    annotated = projects.annotate(
        contract_due=_contract_due(rule),
        agreement_signed_on=F("agreement__signed_on"),
    )
    if land_rule is not None and not rule.is_government:
        annotated = annotated.annotate(land_contract_due=_contract_due(land_rule))
    return annotated


def _base(project, rule: ExitRule) -> tuple[str, datetime.date | None, datetime.date | None]:
    """(source, anchor, due date) of ``project`` under ``rule`` before any hold."""
    contract_due = getattr(project, "contract_due", None)
    if contract_due is not None:
        anchor = getattr(project, "agreement_signed_on", None) or project.signed_on
        return DueSource.CONTRACT, min(anchor or contract_due, contract_due), contract_due
    anchor = getattr(project, ANCHOR_FIELDS[rule.anchor])
    if anchor is None:
        return DueSource.RULE, None, None
    return DueSource.RULE, anchor, add_months(anchor, rule.months)


def has_land(project, today: datetime.date) -> bool:
    """Whether ``project`` had its land by ``today`` (delivered, or a later stage reached)."""
    return any(
        (day := getattr(project, name)) is not None and day <= today for name in LAND_FACT_FIELDS
    )


def land_owed_on(project, land_rule: ExitRule | None) -> datetime.date | None:
    """The day the land was owed to ``project``: the agreement's date, else signing plus
    the 签约未供地 rule's months."""
    owed = getattr(project, "land_contract_due", None)
    if owed is None and land_rule is not None and project.signed_on is not None:
        owed = add_months(project.signed_on, land_rule.months)
    return owed


def _ended_by(day: datetime.date | None, today: datetime.date) -> datetime.date | None:
    """The day a blocker ended, if it had ended by ``today`` (else it is still open)."""
    return day if day is not None and day <= today else None


def load_blockers(
    projects, today: datetime.date, land_rule: ExitRule | None = None
) -> dict[int, list[tuple]]:
    """The government-side blockers of ``projects`` as of ``today``: {project id: [(kind,
    title, department, due_on, done_on, start, url)]}, ``start`` the day after which it
    holds the clock. Four queries whatever the number of projects."""
    ids = [p.pk for p in projects]
    rows: dict[int, list[tuple]] = defaultdict(list)
    if not ids:
        return rows
    late = Q(due_on__lt=today) & (Q(done_on__isnull=True) | Q(done_on__gt=F("due_on")))
    for case in (
        ApprovalCase.objects.filter(late, project_id__in=ids, due_on__isnull=False)
        .select_related("item", "department")
        .order_by("due_on", "id")
    ):
        rows[case.project_id].append(
            (
                DelayKind.APPROVAL_CASE,
                case.item.name,
                case.department.name,
                case.due_on,
                _ended_by(case.done_on, today),
                case.due_on,
                case.get_absolute_url(),
            )
        )
    for milestone in (
        Milestone.objects.filter(late, commitment__project_id__in=ids)
        .select_related("commitment", "owner_department")
        .order_by("due_on", "id")
    ):
        rows[milestone.commitment.project_id].append(
            (
                DelayKind.MILESTONE,
                f"{milestone.commitment.title} · {milestone.name}",
                milestone.owner_department.name,
                milestone.due_on,
                _ended_by(milestone.done_on, today),
                milestone.due_on,
                milestone.get_absolute_url(),
            )
        )
    for obligation in (
        Obligation.objects.filter(
            agreement__project_id__in=ids, party=Party.DEPARTMENT, due_on__lt=today
        )
        .late(today)
        .select_related("department", "agreement")
        .order_by("due_on", "id")
    ):
        rows[obligation.agreement.project_id].append(
            (
                DelayKind.OBLIGATION,
                obligation.description,
                obligation.department.name,
                obligation.due_on,
                _ended_by(obligation.met_on, today),
                obligation.due_on,
                obligation.get_absolute_url(),
            )
        )
    for need in (
        Need.objects.filter(project_id__in=ids, raised_on__lt=today)
        .select_related("department")
        .order_by("raised_on", "id")
    ):
        ended = min(filter(None, (need.resolved_on, need.closed_on)), default=None)
        if ended is not None and ended <= need.raised_on:
            continue
        rows[need.project_id].append(
            (
                DelayKind.PROBLEM,
                need.title,
                need.department.name,
                need.due_on,
                _ended_by(ended, today),
                need.raised_on,
                need.get_absolute_url(),
            )
        )
    for project in projects:
        owed = land_owed_on(project, land_rule)
        delivered = project.land_delivered_on
        if owed is None or owed >= today or (delivered is not None and delivered <= owed):
            continue
        rows[project.pk].append(
            (
                DelayKind.LAND,
                _("Land delivery"),
                "",
                owed,
                _ended_by(delivered, today),
                owed,
                project.get_absolute_url(),
            )
        )
    return rows


def _merged_workdays(window, spans) -> int:
    total, start, end = 0, None, None
    for s, e in sorted(spans):
        if end is None or s >= end:
            if end is not None:
                total += window.workdays_between(start, end)
            start, end = s, e
        else:
            end = max(end, e)
    if end is not None:
        total += window.workdays_between(start, end)
    return total


def compute_clock(
    project, rule: ExitRule, blockers: list[tuple], today: datetime.date, window=None
) -> ExitClock:
    """The clock of ``project`` (annotated by ``with_contract_dates``) under ``rule`` as
    of ``today``, held by ``blockers`` (``load_blockers``'s rows of the project)."""
    source, anchor, due = _base(project, rule)
    clock = ExitClock(project.pk, rule, source, anchor, due, due)
    if due is None or rule.is_government:
        return clock
    if not has_land(project, today):
        # No land yet: the enterprise's clock has not started (签约未供地 is the
        # government's own rule).
        clock.held_since = anchor
        return clock
    window = window or workdays.CalendarWindow(anchor, max(due, today))
    spans = [
        (max(start, anchor), done or today, row)
        for row in blockers
        for start, done in [(row[5], row[4])]
        if (done or today) > max(start, anchor)
    ]

    def held(until):
        return _merged_workdays(
            window, [(s, min(e, until)) for s, e, _row in spans if min(e, until) > s]
        )

    effective, days = due, 0
    for _round in range(MAX_ROUNDS):
        days = held(effective)
        moved = window.add_workdays(due, days).date if days else due
        if moved == effective:
            break
        effective = moved
    clock.effective_due_on, clock.held_workdays = effective, days
    open_starts = [s for s, _e, row in spans if row[4] is None and s < effective]
    clock.held_since = min(open_starts) if open_starts else None
    for s, e, row in spans:
        end = min(e, effective)
        if end <= s:
            continue
        kind, title, department, due_on, done_on, _start, url = row
        clock.causes.append(
            DelayCause(
                kind,
                title,
                department,
                due_on,
                done_on,
                s,
                e,
                window.workdays_between(s, end),
                url,
            )
        )
    clock.causes.sort(key=lambda c: (c.start, c.end, c.kind))
    return clock


def land_rule_of(district_id) -> ExitRule | None:
    return ExitRule.objects.filter(district_id=district_id, code=RuleCode.NO_LAND).first()


def exit_clocks(
    rule: ExitRule, projects, today: datetime.date, land_rule: ExitRule | None = None
) -> dict[int, ExitClock]:
    """The clocks of ``projects`` (a queryset) under ``rule`` as of ``today``: a few
    queries whatever their number."""
    if land_rule is None and not rule.is_government:
        land_rule = land_rule_of(rule.district_id)
    rows = list(with_contract_dates(projects, rule, land_rule))
    blockers = {} if rule.is_government else load_blockers(rows, today, land_rule)
    return {p.pk: compute_clock(p, rule, blockers.get(p.pk, []), today) for p in rows}


def exit_clock(project, rule: ExitRule, today: datetime.date) -> ExitClock:
    """The clock of one project under ``rule`` as of ``today``."""
    return exit_clocks(rule, Project.objects.filter(pk=project.pk), today)[project.pk]


def rule_clocks(
    district_id, code: str, today: datetime.date, projects=None
) -> dict[int, ExitClock]:
    """Public for the other apps (the land clean-up's 建而不产 reads the 两年不投产 rule
    here, one set of thresholds): the clocks of the district's projects (or of
    ``projects``, a queryset) under its rule ``code`` as of ``today``; ``clock.is_due(today)``
    says whether the project is past the rule's date for its own reasons. Empty when the
    district's rule is missing or inactive."""
    rule = ExitRule.objects.filter(district_id=district_id, code=code, is_active=True).first()
    if rule is None:
        return {}
    if projects is None:
        projects = Project.objects.filter(district_id=district_id)
    return exit_clocks(rule, projects, today)
