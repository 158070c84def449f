"""Whose days (SPEC §20): each day of a case's clock belongs to one party, and a late case
is answered for by one.

From the day after its materials were complete up to the day it closed (or today), each
day that counts in the case's unit (a working day, or any day for a limit in natural days)
belongs to the first of these that holds it:

1. ``paused``: a pause (补正, a special procedure) stops the clock — nobody's;
2. ``higher``: after the case was reported upward (上报), the higher authority's — no
   district department's;
3. ``service_center``: up to the day the service center registered it (an application
   received at the window before registration), the service center's (the department of
   the agent who registered it);
4. ``prerequisite``: while it waited for a prerequisite of another department (before it
   was accepted, up to the day the prerequisite that finished last — the one that held it
   up — was done), that department's; a prerequisite the enterprise never applied for is
   the ``enterprise``'s;
5. ``department``: otherwise the department holding it that day (after a transfer, the new
   holder from the day after).

A late case (done after its due date, or open past it) is answered for by:

- the holding department when its own days passed the limit — the one holding it on the
  first own day past the limit;
- else, when the district's days (its own, the prerequisite's and the registration's)
  passed the limit, the prerequisite's department or the service center, whichever held
  more of them (the prerequisite first on a tie);
- else nobody in the district: the higher authority, or the enterprise.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import NOT_DISTRICT_PARTIES, CaseStatus, LimitUnit, Party
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.services.due import case_limit
from zhaoshang.core import clock
from zhaoshang.org.models import Department
from zhaoshang.workdays import services as workdays


@dataclass
class Share:
    """The days of one party (and department) on a case."""

    party: str
    department_id: int | None
    days: int = 0
    department_name: str = ""
    note: str = ""  # the prerequisite's name, the authority reported to

    @property
    def party_label(self) -> str:
        return Party(self.party).label


@dataclass
class Attribution:
    """A case's days by party, and who answers for its lateness."""

    limit: int
    unit: str
    shares: list[Share] = field(default_factory=list)
    late: bool = False
    late_party: str = ""
    late_department_id: int | None = None
    late_days: int = 0  # the answering party's days
    # The holder's first own day past its limit (the day its own lateness began).
    own_late_on: datetime.date | None = None

    @property
    def late_party_label(self) -> str:
        return Party(self.late_party).label if self.late_party else ""

    @property
    def late_department_name(self) -> str:
        return next(
            (s.department_name for s in self.shares if s.department_id == self.late_department_id),
            "",
        )

    def days_of(self, party: str) -> int:
        return sum(s.days for s in self.shares if s.party == party)

    @property
    def answerable(self) -> bool:
        """A district department answers for the lateness (the ledger docks it)."""
        return bool(self.late and self.late_department_id)

    def as_json(self) -> list[dict]:
        return [
            {
                "party": s.party,
                "department": s.department_id,
                "department_name": s.department_name,
                "note": s.note,
                "days": s.days,
            }
            for s in self.shares
        ]


def _prerequisite_wait(case: ApprovalCase, start, end, project_cases):
    """(until, department_id, name, party) of the prerequisite that held the case up: the
    one done last after the clock started (or not done yet: ``end``); None when none did.
    ``project_cases``: the project's cases (to read prerequisites' done dates)."""
    by_item = {c.item_id: c for c in project_cases}
    worst = None
    for item in case.item.prerequisites.all():
        other = by_item.get(item.pk)
        if (
            other is not None
            and case.joint_decision_id
            and (other.joint_decision_id == case.joint_decision_id)
        ):
            continue  # decided together: not a wait
        if other is None:
            until, department_id, party = end, None, Party.ENTERPRISE
        elif other.status == CaseStatus.DONE and other.done_on:
            if other.done_on <= start:
                continue
            until, department_id, party = other.done_on, other.department_id, Party.PREREQUISITE
        else:
            until, department_id, party = end, other.department_id, Party.PREREQUISITE
        if department_id is not None and department_id == case.department_id:
            continue  # its own department's prerequisite: its own days
        if worst is None or until > worst[0]:
            worst = (until, department_id, item.name, party)
    if worst is None:
        return None
    if case.accepted_on:  # accepted: the prerequisites were done by then
        worst = (min(worst[0], case.accepted_on), *worst[1:])
    return worst


def _party_of(case: ApprovalCase, day, pauses, wait, registrar, transfers):
    """(party, department id, note) of one day of the case's clock (the module's order)."""
    if any(a < day <= b for a, b in pauses):
        return Party.PAUSED, None, ""
    if case.reported_on and day > case.reported_on:
        return Party.HIGHER, None, case.reported_to
    if day <= case.registered_on:
        return Party.SERVICE_CENTER, registrar, ""
    if wait and day <= wait[0]:
        return wait[3], wait[1], wait[2]
    for t in transfers:
        if day <= t.transferred_on:
            return Party.DEPARTMENT, t.from_department_id, ""
    return Party.DEPARTMENT, case.department_id, ""


def attribute(
    case: ApprovalCase,
    today: datetime.date | None = None,
    *,
    calendar=None,
    project_cases=None,
    department_names: dict[int, str] | None = None,
) -> Attribution:
    """The case's days by party and who answers for its lateness, as of ``today``. The
    case's transfers, pauses, item prerequisites and the project's cases are read through
    their prefetches when the caller made them (the scan does, for many cases);
    ``calendar``: a ``CalendarWindow`` covering the cases' spans."""
    today = today or clock.today()
    limit, unit = case_limit(case)
    result = Attribution(limit, unit)
    start = case.materials_complete_on
    if start is None:
        return result
    end = case.done_on or case.returned_on or today
    if end <= start:
        return result
    calendar = calendar or workdays.CalendarWindow(start, end)
    if project_cases is None:
        project_cases = list(
            ApprovalCase.objects.filter(project_id=case.project_id)
            .exclude(pk=case.pk)
            .only("id", "item_id", "department_id", "status", "done_on", "joint_decision_id")
        )
    transfers = sorted(case.transfers.all(), key=lambda t: (t.transferred_on, t.pk))
    pauses = [(p.started_on, p.ended_on or end) for p in case.pauses.all()]
    wait = _prerequisite_wait(case, start, end, project_cases)
    registrar = case.registered_by.department_id if case.registered_by_id else None
    names = dict(department_names or {})

    shares: dict[tuple[str, int | None], Share] = {}
    own = 0
    own_late_department = None
    district = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if (
            unit != LimitUnit.NATURAL_DAY
            and calendar.workdays_between(day - datetime.timedelta(days=1), day) == 0
        ):
            continue
        party, department, note = _party_of(case, day, pauses, wait, registrar, transfers)
        if party == Party.DEPARTMENT:
            own += 1
            if own == limit + 1:
                own_late_department = department
                result.own_late_on = day
        if party not in NOT_DISTRICT_PARTIES:
            district += 1
        share = shares.setdefault((party, department), Share(party, department, note=note))
        share.days += 1
    missing = {s.department_id for s in shares.values() if s.department_id} - set(names)
    if missing:
        names.update(Department.objects.filter(pk__in=missing).values_list("pk", "name"))
    for share in shares.values():
        share.department_name = names.get(share.department_id, "") if share.department_id else ""
    result.shares = list(shares.values())

    due = case.due_on
    if case.done_on:
        result.late = bool(due and case.done_on > due)
    elif case.status not in (CaseStatus.RETURNED,):
        result.late = bool(due and due < today and not case.paused)
    if not result.late:
        return result
    if own_late_department is not None:
        result.late_party, result.late_department_id, result.late_days = (
            Party.DEPARTMENT,
            own_late_department,
            own,
        )
        return result
    others = [s for s in result.shares if s.party in (Party.PREREQUISITE, Party.SERVICE_CENTER)]
    if district > limit and others:
        # Most days first; the prerequisite before the service center on a tie.
        worst = max(others, key=lambda s: (s.days, s.party == Party.PREREQUISITE))
        result.late_party, result.late_department_id, result.late_days = (
            worst.party,
            worst.department_id,
            worst.days,
        )
        return result
    if result.days_of(Party.HIGHER):
        result.late_party = Party.HIGHER
    elif result.days_of(Party.ENTERPRISE):
        result.late_party = Party.ENTERPRISE
    else:  # late without anyone's days past the limit (e.g. a joint decision's date)
        result.late_party, result.late_department_id = Party.DEPARTMENT, case.department_id
    return result


def late_reason(case: ApprovalCase, result: Attribution) -> str:
    """The ledger entry's reason: what was late, and whose days made it late."""
    text = _("“%(item)s” of %(project)s was not done by %(due)s.") % {
        "item": case.item.name,
        "project": case.project.name,
        "due": case.due_on.isoformat(),
    }
    if result.late_party == Party.PREREQUISITE:
        share = next(
            s
            for s in result.shares
            if s.party == Party.PREREQUISITE and s.department_id == result.late_department_id
        )
        text += " " + _(
            "It waited %(days)d working days for the prerequisite “%(prerequisite)s” of this "
            "department; %(holder)s held it %(own)d of its %(limit)d days."
        ) % {
            "days": share.days,
            "prerequisite": share.note,
            "holder": case.department.name,
            "own": result.days_of(Party.DEPARTMENT),
            "limit": result.limit,
        }
    elif result.late_party == Party.SERVICE_CENTER:
        text += " " + _(
            "It waited %(days)d working days to be registered at the service center; "
            "%(holder)s held it %(own)d of its %(limit)d days."
        ) % {
            "days": result.late_days,
            "holder": case.department.name,
            "own": result.days_of(Party.DEPARTMENT),
            "limit": result.limit,
        }
    elif result.late_party == Party.DEPARTMENT:
        text += " " + _("The department held it %(own)d days; its limit is %(limit)d.") % {
            "own": result.late_days or result.days_of(Party.DEPARTMENT),
            "limit": result.limit,
        }
    return text
