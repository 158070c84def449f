"""The supervision office's home: complaints to dispatch and to verify, the red lights,
the lights and the problems escalated to the joint meeting, action items to confirm and
close, and the 不满意 ratings whose follow-up is open."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.views import filtered_complaints
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Section, counted
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.views.board import filtered_items
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.ratings.views import filtered_ratings
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.views.needs import filtered_needs


def section(request) -> Section:
    tiles = [
        counted(
            request,
            "complaints:list",
            filtered_complaints,
            {"status": ComplaintStatus.RECEIVED},
            _("Complaints to dispatch"),
            "warning",
        ),
        counted(
            request,
            "complaints:list",
            filtered_complaints,
            {"status": ComplaintStatus.VERIFYING},
            _("Complaint answers to verify"),
            "warning",
        ),
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            {"light": Light.RED},
            _("Red lights"),
            "danger",
        ),
        counted(
            request,
            "monitoring:board",
            filtered_signals,
            {"level": Level.MEETING},
            _("Escalated to the joint meeting"),
            "danger",
        ),
        counted(
            request,
            "service:needs",
            filtered_needs,
            {"status": NeedStatus.ESCALATED},
            _("Problems submitted to the joint meeting"),
            "danger",
        ),
        counted(
            request,
            "meetings:board",
            filtered_items,
            {"status": ActionStatus.AWAITING_CONFIRMATION},
            _("Action items to confirm and close"),
            "warning",
        ),
        counted(
            request,
            "meetings:board",
            filtered_items,
            {"overdue": "1"},
            _("Action items overdue"),
            "danger",
        ),
        counted(
            request,
            "ratings:list",
            filtered_ratings,
            {"open": "1"},
            _("Dissatisfied ratings to follow up"),
            "danger",
        ),
    ]
    return Section("supervisor", _("Supervision today"), tiles)
