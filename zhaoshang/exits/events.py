"""The domain events this app writes and how they read in activity feeds (registered
with ``core.audit`` when the app is ready)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "exit_warning.raised": _("Exit warning raised"),
    "exit_warning.notice_issued": _("Rectification notice issued (限期整改通知)"),
    "exit_warning.clearance_decided": _("Clearance decided (清退决定)"),
    "exit_warning.land_recovered": _("Land recovered (收回土地)"),
    "exit_warning.cleared": _("Exit warning cleared: condition met"),
    "exit_warning.delay_confirmed": _("Government delay confirmed; due date moved"),
    "exit_warning.excluded": _("Excluded: delay not the enterprise's own"),
    "exit_warning.reopened": _("Exit warning reopened: moved due date passed"),
}
