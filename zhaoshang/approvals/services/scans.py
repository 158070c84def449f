"""The daily scans (safe to run twice): overdue cases write their ledger entry once (to the
department answering for the lateness), and
pledged materials still missing pause a case, then send it back (容缺受理)."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import OPEN_STATUSES, CaseStatus, Party, PauseKind
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause
from zhaoshang.approvals.services.attribution import Attribution, attribute, late_reason
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.assessment.services import RuleHit, write_rule_entries, write_rule_entry
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.querysets import in_districts
from zhaoshang.org.models import Department
from zhaoshang.workdays import services as workdays

# 容缺受理: a case whose pledged materials are still missing pauses, and goes back to the
# enterprise after this many working days.
PLEDGE_RETURN_WORKDAYS = 15


def _department(case: ApprovalCase, department_id: int, found: dict | None = None):
    if department_id == case.department_id:
        return case.department
    if found is not None and department_id in found:
        return found[department_id]
    return Department.objects.get(pk=department_id)


def record_overdue(case: ApprovalCase, on: datetime.date, result: Attribution):
    """Write the case done late on ``on`` its entry, once, to the ledger of the department
    answering for its lateness (``result``, its attribution: the holder for its own days
    past the limit, else the department whose prerequisite held it up, or the service
    center; none when the days were the higher authority's or the enterprise's): dated
    ``on``, in the year of the due date; the reason names whose days they were. (The
    daily scan writes the entries of cases still open.)"""
    if not result.answerable:
        return None
    return write_rule_entry(
        RuleCode.OVERDUE_CASE,
        _department(case, result.late_department_id),
        case,
        late_reason(case, result),
        on,
        due_on=case.due_on,
        per_department=True,
    )


def _late_on(case: ApprovalCase, result: Attribution, calendar) -> datetime.date:
    """The day the answering department's breach occurred: the first working day after
    the due date, or for the holder the first of its own days past its limit when that
    came later (its days ran out after a prerequisite's wait had made the case late)."""
    first = calendar.add_workdays(case.due_on, 1).date
    if result.late_party == Party.DEPARTMENT and result.own_late_on:
        return max(first, result.own_late_on)
    return first


def running_past_due(today: datetime.date, district_ids: list[int] | None = None):
    """The open, running cases past their due date whose clock started — a case whose
    materials were never complete has no days to attribute: no department answers for it,
    so it is not read at all. Found off ``approvals_case_clock_running``, which holds only
    the running cases with their materials (not every case of every year walked by its due
    date)."""
    return in_districts(
        ApprovalCase.objects.filter(
            status__in=OPEN_STATUSES,
            paused=False,
            due_on__lt=today,
            materials_complete_on__isnull=False,
        ),
        district_ids,
    )


def pledges_late(today: datetime.date, district_ids: list[int] | None = None):
    """The open cases whose pledged materials (容缺) are still missing after the pledged
    date: found off ``approvals_case_pledge_open``, which holds only the pledges not yet
    fulfilled (not every case read)."""
    return in_districts(
        ApprovalCase.objects.filter(
            status__in=OPEN_STATUSES, pledge_due_on__lt=today, pledge_fulfilled_on__isnull=True
        ),
        district_ids,
    ).exclude(pledge_materials="")


@transaction.atomic
def scan_overdue(today: datetime.date | None = None, district_ids: list[int] | None = None) -> int:
    """Every open, running case past its due date writes its ledger entry (once), dated
    the first working day after its due date, to the department answering for its
    lateness so far (``attribution``); a case whose lateness is no district department's
    (reported upward in time) writes none and is looked at again the next day. Each
    department answers once per case: a case docked to the department whose prerequisite
    made it late is looked at again, and docks its holder too once the holder overruns
    its own days; a case whose holder is docked is done with. A fixed number of queries
    finds them and their history; bulk inserts write the entries. ``district_ids``: only
    the cases of these districts (None: every district)."""
    today = today or clock.today()
    recorded = LedgerEntry.objects.filter(
        rule_code=RuleCode.OVERDUE_CASE,
        evidence_type=ContentType.objects.get_for_model(ApprovalCase),
    )
    overdue = list(
        running_past_due(today, district_ids)
        .exclude(
            Exists(recorded.filter(evidence_id=OuterRef("pk"), department=OuterRef("department")))
        )
        .select_related("item", "project", "department", "registered_by", "joint_decision")
        .prefetch_related(
            "transfers",
            "pauses",
            Prefetch("item__prerequisites", queryset=ApprovalItem.objects.only("id", "name")),
        )
    )
    if not overdue:
        return 0
    siblings: dict[int, list[ApprovalCase]] = {}
    for other in ApprovalCase.objects.filter(project_id__in={c.project_id for c in overdue}).only(
        "id", "project_id", "item_id", "department_id", "status", "done_on", "joint_decision_id"
    ):
        siblings.setdefault(other.project_id, []).append(other)
    # The answering departments (a prerequisite's, the service center's) are of the
    # cases' districts: read once, for the shares' names and the entries.
    departments = {
        d.pk: d for d in Department.objects.filter(district_id__in={c.district_id for c in overdue})
    }
    names = {pk: d.name for pk, d in departments.items()}
    first = min(c.materials_complete_on or c.due_on for c in overdue)
    calendar = workdays.CalendarWindow(min(first, min(c.due_on for c in overdue)), today)
    results = [
        (
            case,
            attribute(
                case,
                today,
                calendar=calendar,
                project_cases=[o for o in siblings.get(case.project_id, []) if o.pk != case.pk],
                department_names=names,
            ),
        )
        for case in overdue
    ]
    docked = set(
        recorded.filter(evidence_id__in=[c.pk for c in overdue]).values_list(
            "evidence_id", "department_id"
        )
    )
    answerable = [
        (c, r) for c, r in results if r.answerable and (c.pk, r.late_department_id) not in docked
    ]
    hits = [
        RuleHit(
            _department(case, result.late_department_id, departments),
            case,
            late_reason(case, result),
            _late_on(case, result, calendar),
            case.due_on,
        )
        for case, result in answerable
    ]
    return len(write_rule_entries(RuleCode.OVERDUE_CASE, hits, per_department=True))


@transaction.atomic
def scan_pledges(
    today: datetime.date | None = None, user=None, district_ids: list[int] | None = None
) -> tuple[int, int]:
    """容缺: pledged materials still missing after the pledged date pause the case; after
    15 working days paused so, the case goes back to the enterprise. ``district_ids``: only
    the cases of these districts (None: every district)."""
    today = today or clock.today()
    paused = returned = 0
    late = pledges_late(today, district_ids)
    # A plain read of the cases first (usually finding none): asked for in their order
    # with the joins, SQLite walked the due dates' index, or every project's cases.
    cases = late.select_related("item", "project", "department") if late.exists() else ()
    for case in cases:
        pause = case.pauses.filter(kind=PauseKind.PLEDGE_OVERDUE).first()
        if pause is None:
            open_pause = case.pauses.filter(ended_on__isnull=True).first()
            if open_pause is None:
                CasePause.objects.create(
                    case=case,
                    kind=PauseKind.PLEDGE_OVERDUE,
                    started_on=case.pledge_due_on,
                    reason=_("Pledged materials not received: %(m)s")
                    % {"m": case.pledge_materials},
                    created_by=user or case.registered_by,
                )
                case.paused = True
                case.save(update_fields=["paused", "updated_at"])
                log_event(user, "case.pledge_overdue", case, summary=case.pledge_materials)
                paused += 1
            continue
        if (
            pause.ended_on is None
            and workdays.workdays_between(pause.started_on, today) >= PLEDGE_RETURN_WORKDAYS
        ):
            pause.ended_on = today
            pause.save()
            case.status = CaseStatus.RETURNED
            case.returned_on = today
            case.return_reason = _("Pledged materials not received within %(n)d working days.") % {
                "n": PLEDGE_RETURN_WORKDAYS
            }
            case.paused = False
            case.save_new_version()
            log_event(user, "case.returned", case, summary=case.return_reason)
            returned += 1
    return paused, returned
