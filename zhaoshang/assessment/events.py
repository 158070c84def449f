"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "assessment.year_opened": _("Assessment year opened"),
    "assessment.base_set": _("Assessment base score set"),
    "assessment.department_base_set": _("Department's base score set"),
    "assessment.year_finished": _("Assessment year finished"),
    "assessment.entry_added": _("Assessment entry added by hand"),
    "assessment.objection_filed": _("Objection to an assessment entry filed"),
    "assessment.objection_upheld": _("Objection upheld: points cancelled"),
    "assessment.objection_rejected": _("Objection rejected"),
}
