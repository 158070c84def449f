"""Each role's home costs the same number of queries whatever the district's size: the
counts are one COUNT each and the lists are capped (issue 18 point 1)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.dashboard.tests.records import make_receipt
from zhaoshang.testing.shared import built_once_per_module

ROLES = [
    "department",
    "supervisor",
    "leader",
    "park",
    "bureau",
    "city",
    "admin",
    "manager",
    "secretary",
]
GROWTH = 15
# Each home's statements (issue 19.2): its tiles counted in a few grouped queries of their
# own (``homes/<role>.py`` ``figures``), the funnel and the city's districts from stored
# tallies, "my projects" off indexes. Before: department 28, supervisor 23, leader 16,
# park 23, bureau 15, city 9, admin 10, manager 19, secretary 19 (the team's projects now
# read their keys in order first, then the rows shown: one more for those who hold some).
# The user's roles are read with the user (``core.backends.UserBackend``): one fewer each.
# The leader's lights of the projects they serve are counted by a walk that stops at its
# cap (``figures.served_lights``), apart from the grouped count of the district's lights.
QUERIES = {
    "department": 19,
    "supervisor": 14,
    "leader": 13,
    "park": 17,
    "bureau": 13,
    "city": 9,  # its districts' red projects from the tallies too
    "admin": 9,
    "manager": 19,
    "secretary": 21,
}


def _count(client) -> int:
    client.get(reverse("home"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, start: int, growth: int = GROWTH) -> None:
    """More of every row a home counts or lists: projects in park 1 with their approval
    case and its team, their stage move this month, receipts to the leader, complaints
    against the works department, signals."""
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.complaints.models import Complaint
    from zhaoshang.projects.models import Project, ProjectTeamMember, StageEvent

    template = Project.objects.get(pk=world.project1_a.pk)
    case = ApprovalCase.objects.get(pk=world.case_a.pk)
    complaint = Complaint.objects.filter(district=world.district_a).first()
    for n in range(start, start + growth):
        project = Project.objects.get(pk=template.pk)
        project.pk = None
        project.code = f"GROW{n:04d}"
        project.name = f"扩容项目{n}"
        project.save()
        grown = ApprovalCase.objects.get(pk=case.pk)
        grown.pk = None
        grown.project = project
        grown.status = ["pending", "accepted", "in_progress"][n % 3]
        grown.save()
        make_receipt(world, world.user_leader, n, project=project)
        StageEvent.objects.create(
            project=project,
            from_stage="prereview",
            to_stage=project.stage,
            occurred_on=datetime.date(2026, 6, 1 + n % 14),
            recorded_by=world.user_bureau,
        )
        for member in ProjectTeamMember.objects.filter(project_id=template.pk):
            ProjectTeamMember.objects.create(project=project, user=member.user, role=member.role)
        if complaint is not None:
            extra = Complaint.objects.get(pk=complaint.pk)
            extra.pk = None
            extra.number = f"TS-GROW-{n:04d}"
            extra.status = ["received", "dispatched", "accepted"][n % 3]
            extra.save()
    from zhaoshang.monitoring.services import refresh_signals

    refresh_signals()  # today is the frozen clock's


def _counts_as_the_district_grows(world) -> dict:
    """Every role's home counted at three sizes, the district grown once for all of them
    (built once for the module): "one", one row of each kind (the capped lists are short);
    "n", a few more projects; "ten_n", ten times as many projects as at "n"."""
    from zhaoshang.projects.models import Project
    from zhaoshang.testing.clients import SESSIONS, client_with_session

    clients = {who: client_with_session(SESSIONS[who]) for who in ROLES}
    found = {"counts": {}}
    _grow(world, 1, 1)
    found["counts"]["one"] = {who: _count(client) for who, client in clients.items()}
    _grow(world, 2, 3)
    found["projects_n"] = Project.objects.count()
    found["counts"]["n"] = {who: _count(client) for who, client in clients.items()}
    _grow(world, 100, 9 * found["projects_n"])
    found["projects_ten_n"] = Project.objects.count()
    found["counts"]["ten_n"] = {who: _count(client) for who, client in clients.items()}
    return found


globals().update(built_once_per_module(_counts_as_the_district_grows))


@pytest.mark.parametrize("who", ROLES)
def test_the_home_is_constant_in_queries(matrix_objects, who):
    """One row of each kind, then full: a query per row would show."""
    counts = matrix_objects["counts"]
    small, large = counts["one"][who], counts["ten_n"][who]
    assert small == large, f"{who}: {small} queries, then {large} with more rows"
    print(f"home[{who}] = {large} queries")
    assert large <= QUERIES[who], f"{who}: {large} queries, more than {QUERIES[who]}"


@pytest.mark.parametrize("who", ROLES)
def test_the_home_costs_the_same_with_ten_times_the_projects(matrix_objects, who):
    """N projects, then 10×N: the same number of queries (issue 18 point 1)."""
    projects = matrix_objects["projects_n"]
    assert matrix_objects["projects_ten_n"] == 10 * projects
    small, large = matrix_objects["counts"]["n"][who], matrix_objects["counts"]["ten_n"][who]
    assert small == large, f"{who}: {small} queries at {projects} projects, then {large}"
