"""Agreement and commitment pages (SPEC §8): the project's agreement tab (terms,
obligations with their derived status and evidence, commitments), the agreement and
obligation forms, each department's commitments and milestones with their lights, a
commitment's page with its reverse schedule and the Gantt chart, and the park committee's
archive with its versions and their comparison.

Every change goes through ``agreements.services``; these views parse input, check who may
see the page, and show the services' answers next to the fields they concern (a stale
version is 409, through ``core.actions.run_service``).
"""

from zhaoshang.agreements.views.agreements import (
    agreement_create,
    agreement_edit,
    attach_evidence,
    project_agreement,
)
from zhaoshang.agreements.views.changes import change_action, change_detail, change_request
from zhaoshang.agreements.views.commitments import (
    commitment_create,
    commitment_detail,
    commitment_edit,
    commitment_file,
    commitment_gantt,
    milestone_progress,
    milestone_reschedule,
)
from zhaoshang.agreements.views.common import (
    DISTRICT_LIST_ROLES,
    LIGHT_ORDER,
    days_left_text,
    own_department_only,
)
from zhaoshang.agreements.views.lists import commitment_list, filtered_commitments, milestone_list
from zhaoshang.agreements.views.obligations import (
    obligation_confirm,
    obligation_create,
    obligation_detail,
    obligation_edit,
    obligation_evidence,
    obligation_waive,
)
from zhaoshang.agreements.views.versions import archive, version_compare, version_detail

__all__ = [
    "DISTRICT_LIST_ROLES",
    "LIGHT_ORDER",
    "agreement_create",
    "agreement_edit",
    "archive",
    "attach_evidence",
    "change_action",
    "change_detail",
    "change_request",
    "commitment_create",
    "commitment_detail",
    "commitment_edit",
    "commitment_file",
    "commitment_gantt",
    "commitment_list",
    "days_left_text",
    "filtered_commitments",
    "milestone_list",
    "milestone_progress",
    "milestone_reschedule",
    "obligation_confirm",
    "obligation_create",
    "obligation_detail",
    "obligation_edit",
    "obligation_evidence",
    "obligation_waive",
    "own_department_only",
    "project_agreement",
    "version_compare",
    "version_detail",
]
