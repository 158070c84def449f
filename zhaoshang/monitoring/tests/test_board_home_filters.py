"""The lights board's filters the homes link to: the lights of the projects I serve (the
leader's "my projects") and the lights lit this month (the bureau's month)."""

from __future__ import annotations

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.monitoring.models import Signal


def _signal(world, project, n: int, since: datetime.date) -> Signal:
    return Signal.objects.create(
        district=project.district,
        subject="case",
        content_type=ContentType.objects.get_for_model(ApprovalCase),
        object_id=98_000 + n,
        project=project,
        department=world.dept_works_a,
        title=f"逾期事项{n}",
        url="/",
        due_on=datetime.date(2026, 6, 1),
        light="red",
        since=since,
        level=0,
        checked_on=datetime.date(2026, 6, 15),
    )


def _titles(client, **params) -> set[str]:
    html = client.get(reverse("monitoring:board"), params).content.decode()
    return set(re.findall(r"逾期事项\d+", html))


def test_my_projects_and_lit_this_month(world, client_for):
    _signal(world, world.project1_a, 1, datetime.date(2026, 6, 2))  # the manager's project
    _signal(world, world.project2_a, 2, datetime.date(2026, 6, 3))
    _signal(world, world.project1_a, 3, datetime.date(2026, 5, 20))  # lit last month

    manager = client_for("manager")  # project1_a's manager and designated contact leader
    assert _titles(manager) == {"逾期事项1", "逾期事项2", "逾期事项3"}
    assert _titles(manager, my_projects="on") == {"逾期事项1", "逾期事项3"}
    assert _titles(manager, this_month="on") == {"逾期事项1", "逾期事项2"}
    assert _titles(manager, my_projects="on", this_month="on") == {"逾期事项1"}
    assert _titles(client_for("leader"), my_projects="on") == set()  # serves no project
