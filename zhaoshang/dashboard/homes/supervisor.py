"""The supervision office's home: complaints to dispatch and to verify, the red lights,
the lights and the problems escalated to the joint meeting, action items to confirm and
close, and the 不满意 ratings whose follow-up is open."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.views import filtered_complaints
from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Figure, Section, tiles
from zhaoshang.dashboard.homes.figures import by_status, of_visible_projects, signal_figures
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.querysets import action_item_overdue_q, bucket_of
from zhaoshang.meetings.views.board import filtered_items
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.views import filtered_ratings
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need
from zhaoshang.service.views.needs import filtered_needs


def declared(request) -> list[Figure]:
    return [
        Figure(
            "to_dispatch",
            "complaints:list",
            filtered_complaints,
            {"status": ComplaintStatus.RECEIVED},
            _("Complaints to dispatch"),
            "warning",
        ),
        Figure(
            "to_verify",
            "complaints:list",
            filtered_complaints,
            {"status": ComplaintStatus.VERIFYING},
            _("Complaint answers to verify"),
            "warning",
        ),
        Figure(
            "red",
            "monitoring:board",
            filtered_signals,
            {"light": Light.RED},
            _("Red lights"),
            "danger",
        ),
        Figure(
            "meeting",
            "monitoring:board",
            filtered_signals,
            {"level": Level.MEETING},
            _("Escalated to the joint meeting"),
            "danger",
        ),
        Figure(
            "problems",
            "service:needs",
            filtered_needs,
            {"status": NeedStatus.ESCALATED},
            _("Problems submitted to the joint meeting"),
            "danger",
        ),
        Figure(
            "to_confirm",
            "meetings:board",
            filtered_items,
            {"status": ActionStatus.AWAITING_CONFIRMATION},
            _("Action items to confirm and close"),
            "warning",
        ),
        Figure(
            "items_overdue",
            "meetings:board",
            filtered_items,
            {"overdue": "1"},
            _("Action items overdue"),
            "danger",
        ),
        Figure(
            "ratings",
            "ratings:list",
            filtered_ratings,
            {"open": "1"},
            _("Dissatisfied ratings to follow up"),
            "danger",
        ),
    ]


def figures(request) -> dict[str, int]:
    """The tiles' figures in five queries, each on its records' district index."""
    user, today = request.user, clock.today()
    complaints = by_status(
        Complaint.objects.visible_to(user),
        [ComplaintStatus.RECEIVED, ComplaintStatus.VERIFYING],
    )
    lights = signal_figures(user)
    items = ActionItem.objects.visible_to(user).aggregate(
        to_confirm=Count(
            "pk",
            filter=Q(
                status=ActionStatus.AWAITING_CONFIRMATION,
                bucket=bucket_of(ActionStatus.AWAITING_CONFIRMATION),
            ),
        ),
        overdue=Count("pk", filter=action_item_overdue_q(today)),
    )
    return {
        "to_dispatch": complaints[ComplaintStatus.RECEIVED],
        "to_verify": complaints[ComplaintStatus.VERIFYING],
        "red": lights["red"],
        "meeting": lights["meeting"],
        "problems": of_visible_projects(
            Need.objects.filter(status=NeedStatus.ESCALATED), user
        ).count(),
        "to_confirm": items["to_confirm"],
        "items_overdue": items["overdue"],
        "ratings": Rating.objects.visible_to(user).followup_open().count(),
    }


def section(request) -> Section:
    return Section("supervisor", _("Supervision today"), tiles(declared(request), figures(request)))
