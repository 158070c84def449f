"""State changes of projects. Views, the API, admin actions and jobs all call these.

Each service checks the permission and the state, runs in one transaction, locks the row
where races matter, writes the domain event and queues notifications on commit. The
families: the registry (``registry``), stages and condition (``stages``), the team
(``team``), the document library (``documents``), funds in place and monthly progress
(``progress``).
"""

from zhaoshang.projects.services.documents import confirm_document, upload_document
from zhaoshang.projects.services.progress import month_start, record_funds, submit_monthly_report
from zhaoshang.projects.services.registry import (
    EDITABLE_FIELDS,
    create_project,
    delete_project,
    next_project_code,
    update_project,
)
from zhaoshang.projects.services.stages import change_stage, check_stage_move, set_condition
from zhaoshang.projects.services.team import (
    assign_team_member,
    check_team_rank,
    remove_team_member,
)

__all__ = [
    "EDITABLE_FIELDS",
    "assign_team_member",
    "change_stage",
    "check_stage_move",
    "check_team_rank",
    "confirm_document",
    "create_project",
    "delete_project",
    "month_start",
    "next_project_code",
    "record_funds",
    "remove_team_member",
    "set_condition",
    "submit_monthly_report",
    "update_project",
    "upload_document",
]
