"""The supervision office's home: complaints to dispatch and to verify, the red lights,
the lights and the problems escalated to the joint meeting, action items to confirm and
close, and the 不满意 ratings whose follow-up is open."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.views import filtered_complaints
from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Figure, Section, district_rows, grouped, tiles
from zhaoshang.dashboard.homes.figures import of_visible_projects, signal_figures
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.querysets import action_item_overdue_q, bucket_of
from zhaoshang.meetings.views.board import filtered_items
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.views import filtered_signals
from zhaoshang.projects.models import Project
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
    """The tiles' figures in five queries, each on its records' district index. For
    whoever sees a whole district (whose complaints, action items and problems are the
    district's, ``visible_to``), the statements of the first three are compiled once per
    process and day (``homes.district_rows``)."""
    user, today = request.user, clock.today()
    reads = _reads(today)
    found = {}
    for name, read in reads.items():

        def of_district(district_id, read=read):
            projects = Project.objects.filter(district_id=district_id, pk=OuterRef("project_id"))
            return read(
                Complaint.objects.filter(district_id=district_id),
                ActionItem.objects.filter(district_id=district_id),
                lambda needs: needs.filter(Exists(projects)),
            )

        rows = district_rows(("supervisor", name, today), user, of_district, uses=())
        if rows is None:
            rows = list(
                read(
                    Complaint.objects.visible_to(user),
                    ActionItem.objects.visible_to(user),
                    lambda needs: of_visible_projects(needs, user),
                )
            )
        found[name] = rows
    complaints = dict(found["complaints"])
    items = found["items"][0] if found["items"] else {"to_confirm": 0, "overdue": 0}
    lights = signal_figures(user)
    return {
        "to_dispatch": complaints.get(ComplaintStatus.RECEIVED, 0),
        "to_verify": complaints.get(ComplaintStatus.VERIFYING, 0),
        "red": lights["red"],
        "meeting": lights["meeting"],
        "problems": found["problems"][0]["n"] if found["problems"] else 0,
        "to_confirm": items["to_confirm"],
        "items_overdue": items["overdue"],
        "ratings": Rating.objects.visible_to(user).followup_open().count(),
    }


def _reads(today) -> dict:
    """{name: read(complaints, action items, needs of the projects seen)}."""
    return {
        "complaints": lambda complaints, items, of_projects: (
            complaints.filter(status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.VERIFYING])
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        ),
        "items": lambda complaints, items, of_projects: grouped(
            items,
            to_confirm=Count(
                "pk",
                filter=Q(
                    status=ActionStatus.AWAITING_CONFIRMATION,
                    bucket=bucket_of(ActionStatus.AWAITING_CONFIRMATION),
                ),
            ),
            overdue=Count("pk", filter=action_item_overdue_q(today)),
        ),
        "problems": lambda complaints, items, of_projects: grouped(
            of_projects(Need.objects.filter(status=NeedStatus.ESCALATED)), n=Count("pk")
        ),
    }


def section(request) -> Section:
    return Section("supervisor", _("Supervision today"), tiles(declared(request), figures(request)))
