"""Overdue action items: the entry in the owner department's assessment ledger (once per
item), the escalation notice (督办催告, once per due date), and due dates computed again
when a year's holiday arrangement is published."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.assessment.services import RuleHit, write_rule_entries, write_rule_entry
from zhaoshang.core import clock
from zhaoshang.core.audit import build_event, log_events
from zhaoshang.core.querysets import in_districts
from zhaoshang.meetings.models import ActionItem
from zhaoshang.notifications.services import notify_many
from zhaoshang.org.people import staff_of_department, supervisors
from zhaoshang.workdays import services as workdays


def _overdue_reason(item: ActionItem) -> str:
    return _("Action item %(number)s “%(title)s” was not done by %(due)s.") % {
        "number": item.number,
        "title": item.title,
        "due": item.due_on.isoformat(),
    }


def record_overdue(item: ActionItem, on: datetime.date | None = None):
    """Write the overdue item's entry to the owner department's ledger, once; dated ``on``
    (a late completion) or the first working day after the due date (not after today)."""
    return write_rule_entry(
        RuleCode.OVERDUE_ACTION_ITEM,
        item.owner_department,
        item,
        _overdue_reason(item),
        on or workdays.add_workdays(item.due_on, 1).date,
        due_on=item.due_on,
    )


class Scan(NamedTuple):
    recorded: int  # ledger entries written
    escalated: int  # overdue notices sent


class _Recipients:
    """The people told of overdue items, looked up once per department and district."""

    def __init__(self):
        self.staff: dict[int, list] = {}
        self.office: dict[int, list] = {}

    def of(self, item: ActionItem) -> list:
        """The owner, the supervision office and the leader who decided or instructed."""
        if item.owner_person_id:
            recipients = [item.owner_person]
        else:
            if item.owner_department_id not in self.staff:
                self.staff[item.owner_department_id] = staff_of_department(item.owner_department_id)
            recipients = list(self.staff[item.owner_department_id])
        if item.district_id not in self.office:
            self.office[item.district_id] = supervisors(item.district_id)
        recipients += self.office[item.district_id]
        if item.decision_id:
            recipients.append(item.decision.meeting.chair)
        if item.instruction_id:
            recipients.append(item.instruction.leader)
        return recipients


def _escalate(items: list[ActionItem], today: datetime.date, calendar) -> None:
    """The overdue notices (督办催告): the owner, the supervision office and the leader
    who chaired the deciding meeting are told, once per due date — for many items at once."""
    now = clock.now()
    for item in items:
        item.escalated_on, item.updated_at = today, now
    fields = ["escalated_on", "updated_at"]  # (the history dated by the clock, as one save's)
    bulk_update_with_history(items, ActionItem, fields, batch_size=1000, default_date=now)
    people = _Recipients()
    events, messages = [], []
    for item in items:
        overdue_days = -calendar.days_left(item.due_on, today)
        events.append(
            build_event(
                None,
                "action_item.overdue",
                item,
                summary=_("Working days overdue: %(n)s") % {"n": overdue_days},
                due_on=item.due_on,
                days=overdue_days,
            )
        )
        title = _("Overdue action item %(number)s (due %(due)s, %(department)s): %(title)s") % {
            "number": item.number,
            "due": item.due_on.isoformat(),
            "department": item.owner_department.name,
            "title": item.title,
        }
        messages.append(
            (people.of(item), "action_item.overdue", title, "", item.get_absolute_url())
        )
    log_events(events)
    notify_many(messages)


@transaction.atomic
def scan_overdue(today: datetime.date | None = None, district_ids: list[int] | None = None) -> Scan:
    """Every open item past its due date writes its ledger entry (once, however often this
    runs) and is escalated (once per due date). Run by the daily scan; safe to run twice.
    One query finds each set; bulk inserts write the entries, events and messages.
    ``district_ids``: only the items of these districts (None: every district)."""
    today = today or clock.today()
    overdue = in_districts(ActionItem.objects.overdue(today), district_ids)
    recorded_ids = LedgerEntry.objects.filter(
        rule_code=RuleCode.OVERDUE_ACTION_ITEM,
        evidence_type=ContentType.objects.get_for_model(ActionItem),
    ).values("evidence_id")
    related = (
        "owner_department",
        "owner_person",
        "decision__meeting__chair",
        "instruction__leader",
    )
    unrecorded = list(overdue.exclude(pk__in=recorded_ids).select_related(*related))
    late = list(
        overdue.filter(escalated_on__isnull=True).select_related(*related).order_by("due_on", "pk")
    )
    if not unrecorded and not late:
        return Scan(0, 0)
    calendar = workdays.CalendarWindow(min(item.due_on for item in unrecorded + late), today)
    written = write_rule_entries(
        RuleCode.OVERDUE_ACTION_ITEM,
        (
            RuleHit(
                item.owner_department,
                item,
                _overdue_reason(item),
                calendar.add_workdays(item.due_on, 1).date,
                item.due_on,
            )
            for item in unrecorded
        ),
    )
    if late:
        _escalate(late, today, calendar)
    return Scan(len(written), len(late))


def recompute_provisional_due_dates(years: Iterable[int] = ()) -> int:
    """Hook for workdays.load_year: items due N working days after their start whose date
    rested on an unpublished year are computed again."""
    changed = 0
    for item in ActionItem.objects.filter(due_is_provisional=True, due_workdays__isnull=False):
        result = workdays.add_workdays(item.start_on, item.due_workdays)
        if (item.due_on, item.due_is_provisional) != (result.date, result.provisional):
            item.due_on, item.due_is_provisional = result.date, result.provisional
            item.save(update_fields=["due_on", "due_is_provisional", "updated_at"])
            changed += 1
    return changed
