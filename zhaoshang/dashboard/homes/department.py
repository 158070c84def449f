"""The department handler's home: what the department must do today — cases to accept,
cases within the yellow window or overdue, its action items, the complaints against it and
its inspection requests awaiting a decision."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.views import filtered_cases, own_department_only
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.views import filtered_complaints
from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.dashboard.homes import Figure, Section, tiles
from zhaoshang.dashboard.homes.figures import by_status, lights_by_due_date, of_visible_projects
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.models import InspectionRequest
from zhaoshang.inspections.views import _filtered as filtered_inspections
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.querysets import action_item_overdue_q
from zhaoshang.meetings.views.board import _owned_by, filtered_items
from zhaoshang.service.choices import OPEN_NEED_STATUSES
from zhaoshang.service.forms import NeedFilterForm
from zhaoshang.service.models import Need
from zhaoshang.service.views.needs import filtered_needs


def _own_items(request):
    return filtered_items(request, own=True)


def _own_needs(request):
    return filtered_needs(request, own_department=True)


def declared(request) -> list[Figure]:
    user = request.user
    # The worklist keeps a plain handler to the department; a handler with a district-wide
    # role sees the district there, so the link names the department.
    cases = {} if own_department_only(user) else {"department": user.department_id}
    worklist = "approvals:worklist"
    return [
        Figure(
            "cases_pending",
            worklist,
            filtered_cases,
            {**cases, "status": CaseStatus.PENDING},
            _("Cases to accept"),
            "warning",
        ),
        Figure(
            "cases_yellow",
            worklist,
            filtered_cases,
            {**cases, "light": Light.YELLOW},
            _("Cases due soon (yellow)"),
            "warning",
        ),
        Figure(
            "cases_red",
            worklist,
            filtered_cases,
            {**cases, "light": Light.RED},
            _("Cases overdue"),
            "danger",
        ),
        Figure("items", "meetings:worklist", _own_items, {}, _("Action items to carry out")),
        Figure(
            "items_overdue",
            "meetings:worklist",
            _own_items,
            {"overdue": "1"},
            _("Action items overdue"),
            "danger",
        ),
        Figure(
            "needs",
            "service:department_needs",
            _own_needs,
            {"status": NeedFilterForm.OPEN},
            _("Problems to solve"),
        ),
        Figure(
            "complaints_dispatched",
            "complaints:list",
            filtered_complaints,
            {"mine": "1", "status": ComplaintStatus.DISPATCHED},
            _("Complaints to accept"),
            "warning",
        ),
        Figure(
            "complaints_accepted",
            "complaints:list",
            filtered_complaints,
            {"mine": "1", "status": ComplaintStatus.ACCEPTED},
            _("Complaints to answer"),
            "warning",
        ),
        Figure(
            "inspections",
            "inspections:list",
            filtered_inspections,
            {"mine": "1", "status": RequestStatus.FILED},
            _("Inspection requests awaiting approval"),
        ),
    ]


def figures(request) -> dict[str, int]:
    """The tiles' figures in seven queries, each narrowed to the department's rows on an
    index: the cases' lights counted as ranges of due dates (``figures.lights_by_due_date``)."""
    user, today = request.user, clock.today()
    department = user.department_id
    cases = ApprovalCase.objects.visible_to(user).filter(department_id=department)
    lit = lights_by_due_date(
        # (``paused__in``: a plain equality, which the index on department reads)
        cases.open().filter(paused__in=[False]),
        today,
        user.district_id,
        Subject.CASE,
    )
    items = (
        ActionItem.objects.visible_to(user)
        .filter(_owned_by(user))
        .exclude(status=ActionStatus.CLOSED)
        .aggregate(total=Count("pk"), overdue=Count("pk", filter=action_item_overdue_q(today)))
    )
    complaints = by_status(
        Complaint.objects.visible_to(user).filter(department_id=department),
        [ComplaintStatus.DISPATCHED, ComplaintStatus.ACCEPTED],
    )
    needs = of_visible_projects(
        Need.objects.filter(department_id=department, status__in=OPEN_NEED_STATUSES), user
    )
    inspections = InspectionRequest.objects.visible_to(user).filter(
        department_id=department, status=RequestStatus.FILED
    )
    return {
        "cases_pending": cases.filter(status=CaseStatus.PENDING).count(),
        "cases_yellow": lit["yellow"],
        "cases_red": lit["red"],
        "items": items["total"],
        "items_overdue": items["overdue"],
        "needs": needs.count(),
        "complaints_dispatched": complaints[ComplaintStatus.DISPATCHED],
        "complaints_accepted": complaints[ComplaintStatus.ACCEPTED],
        "inspections": inspections.count(),
    }


def section(request) -> Section | None:
    user = request.user
    if not user.department_id:
        return None
    title = _("My department today: %(name)s") % {"name": user.department}
    return Section("department", title, tiles(declared(request), figures(request)))
