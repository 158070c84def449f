"""Each role's home costs the same number of queries whatever the district's size: the
counts are one COUNT each and the lists are capped (issue 18 point 1)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.dashboard.tests.records import make_receipt

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


@pytest.mark.parametrize("who", ROLES)
def test_the_home_is_constant_in_queries(client_for, world, who):
    client = client_for(who)
    # One row of each kind first: the capped lists (the receipts to read, the projects held,
    # the month's moves) are short, then full: a query per row shows.
    _grow(world, 1, 1)
    small = _count(client)
    _grow(world, 100)
    large = _count(client)
    assert small == large, f"{who}: {small} queries, then {large} with more rows"
    print(f"home[{who}] = {large} queries")


@pytest.mark.parametrize("who", ROLES)
def test_the_home_costs_the_same_with_ten_times_the_projects(client_for, world, who):
    """N projects, then 10×N: the same number of queries (issue 18 point 1)."""
    from zhaoshang.projects.models import Project

    client = client_for(who)
    _grow(world, 1, 4)
    small, projects = _count(client), Project.objects.count()
    _grow(world, 100, 9 * projects)
    assert Project.objects.count() == 10 * projects
    large = _count(client)
    assert small == large, f"{who}: {small} queries at {projects} projects, then {large}"
