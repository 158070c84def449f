"""Meetings and supervised action items through their life (SPEC §10). Every state change
is a function here; pages, the API, the demo and the daily scan call them.

- A meeting is scheduled (escalated problems go on its agenda), held, its decisions are
  recorded — each creating its action items, or being the joint decision that approves
  mutually prerequisite approval items at the same time — and its minutes are issued
  (``meetings``, ``agenda``, ``decisions``).
- An action item (督办事项) is created by a decision, a leader's instruction (批示) or the
  supervision office (``action_items``); its owner reports progress and completes it with
  evidence; the supervision office closes it or sends it back (退回重办) (``supervision``).
  Overdue items are escalated and write one entry to the owner department's assessment
  ledger (``overdue``).
"""

from zhaoshang.meetings.services._common import ACTION_ITEM_FIELDS
from zhaoshang.meetings.services.action_items import (
    ActionPlan,
    check_action_item,
    create_action_item,
    next_action_number,
)
from zhaoshang.meetings.services.agenda import (
    add_agenda_item,
    escalated_needs,
    remove_agenda_item,
)
from zhaoshang.meetings.services.decisions import (
    ActionItemRowsError,
    record_decision,
    record_joint_decision,
    record_taken_joint_decision,
)
from zhaoshang.meetings.services.meetings import (
    MEETING_FIELDS,
    issue_minutes,
    mark_held,
    next_meeting_number,
    schedule_meeting,
    update_meeting,
)
from zhaoshang.meetings.services.overdue import (
    Scan,
    recompute_provisional_due_dates,
    record_overdue,
    scan_overdue,
)
from zhaoshang.meetings.services.supervision import (
    close_action_item,
    complete_action_item,
    report_progress,
    return_action_item,
    update_action_item,
)

__all__ = [
    "ACTION_ITEM_FIELDS",
    "MEETING_FIELDS",
    "ActionItemRowsError",
    "ActionPlan",
    "Scan",
    "add_agenda_item",
    "check_action_item",
    "close_action_item",
    "complete_action_item",
    "create_action_item",
    "escalated_needs",
    "issue_minutes",
    "mark_held",
    "next_action_number",
    "next_meeting_number",
    "recompute_provisional_due_dates",
    "record_decision",
    "record_joint_decision",
    "record_overdue",
    "record_taken_joint_decision",
    "remove_agenda_item",
    "report_progress",
    "return_action_item",
    "scan_overdue",
    "schedule_meeting",
    "update_action_item",
    "update_meeting",
]
