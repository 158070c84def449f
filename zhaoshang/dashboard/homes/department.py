"""The department handler's home: what the department must do today — cases to accept,
cases within the yellow window or overdue, its action items, the complaints against it and
its inspection requests awaiting a decision."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.views import filtered_cases, own_department_only
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.views import filtered_complaints
from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject, yellow_workdays
from zhaoshang.dashboard.homes import Figure, Section, district_rows, grouped, tiles
from zhaoshang.dashboard.homes.figures import (
    lit_figures,
    of_visible_projects,
    rows_lit_by_due_date,
)
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.models import InspectionRequest
from zhaoshang.inspections.views import _filtered as filtered_inspections
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.querysets import action_item_overdue_q
from zhaoshang.meetings.views.board import _owned_by, filtered_items
from zhaoshang.projects.models import Project
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
    index: the cases' lights counted as ranges of due dates (``figures.lights_by_due_date``).
    For whoever sees a whole district (whose cases, items, complaints and inspections are
    the district's, ``visible_to``) each statement is compiled once per process, day and
    yellow window (``homes.district_rows``)."""
    user, today = request.user, clock.today()
    window = yellow_workdays(user.district_id, Subject.CASE)
    found = {}
    for name, read in _reads(today, window).items():

        def of_district(district_id, person, read=read):
            return read(_district_scope(district_id), person)

        uses = ("user", "department") if name == "items" else ("department",)
        rows = district_rows(("department", name, today, window), user, of_district, uses=uses)
        if rows is None:
            rows = list(read(_live_scope(user), user))
        found[name] = rows
    lit = found["lit"][0] if found["lit"] else {"red": 0, "yellow": 0}
    items = found["items"][0] if found["items"] else {"total": 0, "overdue": 0}
    complaints = dict(found["complaints"])
    return {
        "cases_pending": _one(found["cases_pending"]),
        "cases_yellow": lit["yellow"],
        "cases_red": lit["red"],
        "items": items["total"],
        "items_overdue": items["overdue"],
        "needs": _one(found["needs"]),
        "complaints_dispatched": complaints.get(ComplaintStatus.DISPATCHED, 0),
        "complaints_accepted": complaints.get(ComplaintStatus.ACCEPTED, 0),
        "inspections": _one(found["inspections"]),
    }


def _one(rows) -> int:
    return rows[0]["n"] if rows else 0


def _live_scope(user):
    """{model: its rows ``user`` sees}, and "needs": the needs of the projects they see."""
    return {
        ApprovalCase: ApprovalCase.objects.visible_to(user),
        ActionItem: ActionItem.objects.visible_to(user),
        Complaint: Complaint.objects.visible_to(user),
        InspectionRequest: InspectionRequest.objects.visible_to(user),
        "needs": lambda needs: of_visible_projects(needs, user),
    }


def _district_scope(district_id):
    """``_live_scope`` for a person who sees the whole district ``district_id``: each
    record is kept in its project's (or its own) district."""
    projects = Project.objects.filter(district_id=district_id, pk=OuterRef("project_id"))
    return {
        ApprovalCase: ApprovalCase.objects.filter(district_id=district_id),
        ActionItem: ActionItem.objects.filter(district_id=district_id),
        Complaint: Complaint.objects.filter(district_id=district_id),
        InspectionRequest: InspectionRequest.objects.filter(district_id=district_id),
        "needs": lambda needs: needs.filter(Exists(projects)),
    }


def _reads(today, window) -> dict:
    """{name: read(scope, user)}: the department's figures, each a read of rows."""
    # ``COUNT(*)``, off the index alone on PostgreSQL (``COUNT(id)`` fetched every row: a
    # department's 17,000 pending cases at 50,000 projects, 9 → 3 ms)
    count = {"n": Count("*")}

    def cases(scope, user):
        return scope[ApprovalCase].filter(department_id=user.department_id)

    return {
        "cases_pending": lambda scope, user: grouped(
            cases(scope, user).filter(status=CaseStatus.PENDING), **count
        ),
        "lit": lambda scope, user: grouped(
            # (``paused__in``: a plain equality, which the index on department reads)
            rows_lit_by_due_date(
                cases(scope, user).open().filter(paused__in=[False]), today, window
            ),
            **lit_figures(today, window),
        ),
        "items": lambda scope, user: grouped(
            scope[ActionItem].filter(_owned_by(user)).exclude(status=ActionStatus.CLOSED),
            total=Count("pk"),
            overdue=Count("pk", filter=action_item_overdue_q(today)),
        ),
        "complaints": lambda scope, user: (
            scope[Complaint]
            .filter(department_id=user.department_id)
            .filter(status__in=[ComplaintStatus.DISPATCHED, ComplaintStatus.ACCEPTED])
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        ),
        "needs": lambda scope, user: grouped(
            scope["needs"](
                Need.objects.filter(department_id=user.department_id, status__in=OPEN_NEED_STATUSES)
            ),
            **count,
        ),
        "inspections": lambda scope, user: grouped(
            scope[InspectionRequest].filter(
                department_id=user.department_id, status=RequestStatus.FILED
            ),
            **count,
        ),
    }


def section(request) -> Section | None:
    user = request.user
    if not user.department_id:
        return None
    title = _("My department today: %(name)s") % {"name": user.department}
    return Section("department", title, tiles(declared(request), figures(request)))
