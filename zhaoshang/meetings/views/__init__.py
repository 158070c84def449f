"""Meeting and supervision pages (SPEC §10): the supervision board (督办台账) with its Excel
export, the department's worklist of action items, the action item page with its record
and actions, and the meeting pages — list, scheduling, the meeting with its agenda,
minutes and decisions, and the decision and joint-decision forms.

Every change goes through ``meetings.services``; these views parse input, check who may
see the page (``visible_to``: a record outside the scope is a 404) and show the services'
answers next to the fields they concern.
"""

from zhaoshang.meetings.views._common import days_left_text
from zhaoshang.meetings.views.action_items import (
    action_item_action,
    action_item_create,
    action_item_detail,
    action_item_edit,
    action_item_file,
)
from zhaoshang.meetings.views.board import (
    board,
    board_export,
    board_print,
    filtered_items,
    worklist,
)
from zhaoshang.meetings.views.decisions import decision_create, joint_decision
from zhaoshang.meetings.views.meetings import (
    agenda_add,
    agenda_remove,
    get_visible_meeting,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_held,
    meeting_list,
    meeting_minutes,
    minutes_file,
)

__all__ = [
    "action_item_action",
    "action_item_create",
    "action_item_detail",
    "action_item_edit",
    "action_item_file",
    "agenda_add",
    "agenda_remove",
    "board",
    "board_export",
    "board_print",
    "days_left_text",
    "decision_create",
    "filtered_items",
    "get_visible_meeting",
    "joint_decision",
    "meeting_create",
    "meeting_detail",
    "meeting_edit",
    "meeting_held",
    "meeting_list",
    "meeting_minutes",
    "minutes_file",
    "worklist",
]
