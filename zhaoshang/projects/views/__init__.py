"""Project pages: the registry (``registry``), the stage and condition (``stages``), and the
tabs that keep records — team, documents, funds, progress (``records``)."""

from zhaoshang.projects.views.autocomplete import project_autocomplete
from zhaoshang.projects.views.backfill import backfill_list, filtered_backfill
from zhaoshang.projects.views.common import get_visible_project, project_context
from zhaoshang.projects.views.records import (
    document_confirm,
    document_download,
    document_upload,
    photo_download,
    project_documents,
    project_funds,
    project_progress,
    project_team,
    team_add,
    team_remove,
)
from zhaoshang.projects.views.registry import (
    filtered_projects,
    project_create,
    project_detail,
    project_edit,
    project_export,
    project_history,
    project_import,
    project_import_report,
    project_import_template,
    project_list,
    project_print,
)
from zhaoshang.projects.views.stages import condition_change, project_timeline, stage_change

__all__ = [
    "project_autocomplete",
    "backfill_list",
    "filtered_backfill",
    "condition_change",
    "document_confirm",
    "document_download",
    "document_upload",
    "filtered_projects",
    "get_visible_project",
    "photo_download",
    "project_context",
    "project_create",
    "project_detail",
    "project_documents",
    "project_edit",
    "project_export",
    "project_funds",
    "project_history",
    "project_import",
    "project_import_report",
    "project_import_template",
    "project_list",
    "project_print",
    "project_progress",
    "project_team",
    "project_timeline",
    "stage_change",
    "team_add",
    "team_remove",
]
