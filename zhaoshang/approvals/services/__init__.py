"""Approval cases through their life (SPEC §6). Every state change is a function here;
pages, the API and the scans call them. One module per family:

- ``catalogue``: the catalogue's items and their prerequisite graph;
- ``due``: due dates, recomputed from their inputs (and when a calendar year is loaded);
- ``registration``: registering cases (统一受理, the green channel);
- ``cases``: the life of a case, from materials complete to done, returned or transferred;
- ``pauses``: pauses of the clock, pledged materials and the special-circumstances extension;
- ``joint``: joint decisions (同时审批、同时办结);
- ``attribution``: whose days a case's are, and who answers for its lateness;
- ``scans``: the daily scans of overdue cases and pledges;
- ``forecast``: the critical path of a project's approvals;
- ``rating``: the enterprise's rating (好差评) of a case once it is done;
- ``remaining``: the days a case has left, in its limit's unit.

Callers import this package (``from zhaoshang.approvals import services``); the names
below are its public face.
"""

from zhaoshang.approvals.services.attribution import Attribution, Share, attribute
from zhaoshang.approvals.services.cases import (
    accept_case,
    complete_case,
    days_held_by_department,
    mark_materials_complete,
    report_upward,
    return_case,
    start_handling,
    transfer_case,
    unmet_prerequisites,
)
from zhaoshang.approvals.services.catalogue import (
    ITEM_FIELDS,
    check_prerequisites,
    create_item,
    find_cycle,
    prerequisite_edges,
    set_prerequisites,
    update_item,
)
from zhaoshang.approvals.services.due import (
    Due,
    case_limit,
    common_due,
    compute_due,
    due_after,
    paused_days,
    recompute_due_dates,
    recompute_joint_decisions,
    recompute_provisional_due_dates,
)
from zhaoshang.approvals.services.forecast import FORECAST_READ_AHEAD, Forecast, forecast
from zhaoshang.approvals.services.joint import record_joint_decision
from zhaoshang.approvals.services.pauses import (
    PAUSE_KINDS_SPECIAL,
    extend_case,
    fulfil_pledge,
    pause_case,
    resume_case,
)
from zhaoshang.approvals.services.rating import case_rating, may_rate, rate_case
from zhaoshang.approvals.services.registration import register_case, register_green_channel
from zhaoshang.approvals.services.remaining import Remaining, remaining
from zhaoshang.approvals.services.scans import (
    PLEDGE_RETURN_WORKDAYS,
    record_overdue,
    scan_overdue,
    scan_pledges,
)

__all__ = [
    "Attribution",
    "Share",
    "attribute",
    "FORECAST_READ_AHEAD",
    "ITEM_FIELDS",
    "PAUSE_KINDS_SPECIAL",
    "PLEDGE_RETURN_WORKDAYS",
    "Due",
    "Forecast",
    "accept_case",
    "case_limit",
    "case_rating",
    "check_prerequisites",
    "common_due",
    "complete_case",
    "compute_due",
    "create_item",
    "days_held_by_department",
    "due_after",
    "extend_case",
    "find_cycle",
    "forecast",
    "fulfil_pledge",
    "mark_materials_complete",
    "may_rate",
    "pause_case",
    "paused_days",
    "prerequisite_edges",
    "rate_case",
    "recompute_due_dates",
    "recompute_joint_decisions",
    "recompute_provisional_due_dates",
    "record_joint_decision",
    "record_overdue",
    "register_case",
    "remaining",
    "Remaining",
    "register_green_channel",
    "report_upward",
    "resume_case",
    "return_case",
    "scan_overdue",
    "scan_pledges",
    "set_prerequisites",
    "start_handling",
    "transfer_case",
    "unmet_prerequisites",
    "update_item",
]
