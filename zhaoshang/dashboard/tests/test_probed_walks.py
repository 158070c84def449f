"""A walk read off an index in its order, each row probed and the walk stopped at the
page, stays a probe per row on PostgreSQL (``core.parts.probed``): the team section's open
milestones by due date (``team._nearest_due``), each checked against the person's projects
— planned as a join from an estimate of one project where there were thousands, it
compared each milestone with every one of them (18 ms at a province of 500,000 projects;
0.5 ms probed)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from zhaoshang.agreements.models import Milestone
from zhaoshang.core.parts import probed
from zhaoshang.projects.models import Project
from zhaoshang.projects.tests.test_newest_index import _plan


def _walk(projects, probe: bool):
    condition = Exists(projects.filter(pk=OuterRef("commitment__project_id")))
    rows = Milestone.objects.open().filter(probed(condition) if probe else condition)
    return rows.order_by("due_on", "id").values_list("commitment__project_id", "due_on")


def test_a_probed_walk_reads_the_rows_a_join_reads(world):
    for user in (world.user_manager, world.user_bureau, world.user_leader_b):
        projects = Project.objects.visible_to(user)
        assert list(_walk(projects, True)) == list(_walk(projects, False))


def test_the_team_section_s_milestones_are_probed_per_row(world, monkeypatch):
    from django.db import connection

    from zhaoshang.dashboard.homes import team

    projects = Project.objects.visible_to(world.user_manager)
    plan = _plan(_walk(projects, True)[:48])
    if connection.vendor == "postgresql":
        assert "SubPlan" in plan and "Semi Join" not in plan.split("SubPlan")[0], plan
    else:
        assert "CORRELATED SCALAR SUBQUERY" in plan, plan
    # the section walks it so
    seen = []
    monkeypatch.setattr(
        team, "probed", lambda condition: seen.append(condition) or probed(condition)
    )
    team._nearest_due(team._batches(projects), team._next_due(), 3)
    assert seen
