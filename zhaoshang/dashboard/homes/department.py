"""The department handler's home: what the department must do today — cases to accept,
cases within the yellow window or overdue, its action items, the complaints against it and
its inspection requests awaiting a decision."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.views import filtered_cases, own_department_only
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.views import filtered_complaints
from zhaoshang.core.lights import Light
from zhaoshang.dashboard.homes import Section, counted
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.views import _filtered as filtered_inspections
from zhaoshang.meetings.views.board import filtered_items
from zhaoshang.service.forms import NeedFilterForm
from zhaoshang.service.views.needs import filtered_needs


def _own_items(request):
    return filtered_items(request, own=True)


def _own_needs(request):
    return filtered_needs(request, own_department=True)


def section(request) -> Section | None:
    user = request.user
    if not user.department_id:
        return None
    # The worklist keeps a plain handler to the department; a handler with a district-wide
    # role sees the district there, so the link names the department.
    cases = {} if own_department_only(user) else {"department": user.department_id}
    worklist = "approvals:worklist"
    tiles = [
        counted(
            request,
            worklist,
            filtered_cases,
            {**cases, "status": CaseStatus.PENDING},
            _("Cases to accept"),
            "warning",
        ),
        counted(
            request,
            worklist,
            filtered_cases,
            {**cases, "light": Light.YELLOW},
            _("Cases due soon (yellow)"),
            "warning",
        ),
        counted(
            request,
            worklist,
            filtered_cases,
            {**cases, "light": Light.RED},
            _("Cases overdue"),
            "danger",
        ),
        counted(request, "meetings:worklist", _own_items, {}, _("Action items to carry out")),
        counted(
            request,
            "meetings:worklist",
            _own_items,
            {"overdue": "1"},
            _("Action items overdue"),
            "danger",
        ),
        counted(
            request,
            "service:department_needs",
            _own_needs,
            {"status": NeedFilterForm.OPEN},
            _("Problems to solve"),
        ),
        counted(
            request,
            "complaints:list",
            filtered_complaints,
            {"mine": "1", "status": ComplaintStatus.DISPATCHED},
            _("Complaints to accept"),
            "warning",
        ),
        counted(
            request,
            "complaints:list",
            filtered_complaints,
            {"mine": "1", "status": ComplaintStatus.ACCEPTED},
            _("Complaints to answer"),
            "warning",
        ),
        counted(
            request,
            "inspections:list",
            filtered_inspections,
            {"mine": "1", "status": RequestStatus.FILED},
            _("Inspection requests awaiting approval"),
        ),
    ]
    title = _("My department today: %(name)s") % {"name": user.department}
    return Section("department", title, tiles)
