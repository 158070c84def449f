"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "project.created": _("Project registered"),
    "project.updated": _("Project edited"),
    "project.deleted": _("Project deleted"),
    "project.stage_changed": _("Stage changed"),
    "project.stage_imported": _("Stage history imported (补录)"),
    "project.condition_changed": _("Condition changed"),
    "project.team_assigned": _("Team member assigned"),
    "project.team_removed": _("Team member removed"),
    "project.document_uploaded": _("Document uploaded"),
    "project.document_confirmed": _("Document confirmed"),
    "project.funds_recorded": _("Funds in place recorded"),
    "project.funds_corrected": _("Funds in place corrected"),
    "project.monthly_report_filed": _("Monthly report filed"),
    "project.monthly_report_corrected": _("Monthly report corrected"),
    "project.imported": _("Projects imported from Excel"),
    "project.team_imported": _("Project teams imported from Excel"),
    "project.monthly_report_imported": _("Monthly report imported"),
    "project.monthly_reports_imported": _("Monthly reports imported from Excel"),
    "project.funds_imported": _("Funds in place imported from Excel"),
}
