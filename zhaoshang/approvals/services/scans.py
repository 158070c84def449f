"""The daily scans (safe to run twice): overdue cases write their ledger entry once, and
pledged materials still missing pause a case, then send it back (容缺受理)."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import OPEN_STATUSES, CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, CasePause
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.assessment.services import RuleHit, write_rule_entries, write_rule_entry
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.workdays import services as workdays

# 容缺受理: a case whose pledged materials are still missing pauses, and goes back to the
# enterprise after this many working days.
PLEDGE_RETURN_WORKDAYS = 15


def _overdue_reason(case: ApprovalCase) -> str:
    return _("“%(item)s” of %(project)s was not done by %(due)s.") % {
        "item": case.item.name,
        "project": case.project.name,
        "due": case.due_on.isoformat(),
    }


def record_overdue(case: ApprovalCase, on: datetime.date | None = None):
    """Write the overdue case's entry to the holding department's ledger, once: dated ``on``
    (a late completion) or the first working day after the due date (not after today), in
    the year of the due date."""
    return write_rule_entry(
        RuleCode.OVERDUE_CASE,
        case.department,
        case,
        _overdue_reason(case),
        on or workdays.add_workdays(case.due_on, 1).date,
        due_on=case.due_on,
    )


@transaction.atomic
def scan_overdue(today: datetime.date | None = None) -> int:
    """Every open, running case past its due date writes its ledger entry (once), dated
    the first working day after its due date: one query finds them, bulk inserts write
    them."""
    today = today or clock.today()
    recorded = LedgerEntry.objects.filter(
        rule_code=RuleCode.OVERDUE_CASE,
        evidence_type=ContentType.objects.get_for_model(ApprovalCase),
    ).values("evidence_id")
    overdue = list(
        ApprovalCase.objects.filter(status__in=OPEN_STATUSES, paused=False, due_on__lt=today)
        .exclude(pk__in=recorded)
        .select_related("item", "project", "department")
        .only(
            "district_id",
            "due_on",
            "item__name",
            "project__name",
            "department__district_id",
        )
    )
    if not overdue:
        return 0
    calendar = workdays.CalendarWindow(min(c.due_on for c in overdue), today)
    hits = [
        RuleHit(
            case.department,
            case,
            _overdue_reason(case),
            calendar.add_workdays(case.due_on, 1).date,
            case.due_on,
        )
        for case in overdue
    ]
    return len(write_rule_entries(RuleCode.OVERDUE_CASE, hits))


@transaction.atomic
def scan_pledges(today: datetime.date | None = None, user=None) -> tuple[int, int]:
    """容缺: pledged materials still missing after the pledged date pause the case; after
    15 working days paused so, the case goes back to the enterprise."""
    today = today or clock.today()
    paused = returned = 0
    late = ApprovalCase.objects.filter(
        status__in=OPEN_STATUSES, pledge_due_on__lt=today, pledge_fulfilled_on__isnull=True
    ).exclude(pledge_materials="")
    for case in late.select_related("item", "project", "department"):
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
