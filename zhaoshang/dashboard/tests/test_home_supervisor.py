"""The supervision office's home counts the escalations that reach it: the lights before the
joint meeting and the problems (问题清单) submitted to it, each a link to its list's rows."""

from __future__ import annotations

import datetime

from django.urls import reverse

from zhaoshang.dashboard.tests.test_homes import TILE, _list_count


def test_the_problems_submitted_to_the_joint_meeting(client_for, world):
    from zhaoshang.service.choices import NeedCategory, NeedStatus
    from zhaoshang.service.models import Need

    for n, status in enumerate((NeedStatus.ESCALATED, NeedStatus.PENDING), start=1):
        Need.objects.create(
            district=world.district_a,
            number=f"WT-2026-{n:04d}",
            project=world.project1_a,
            raised_by=world.user_admin,
            raised_on=datetime.date(2026, 6, 12),
            category=NeedCategory.LAND,
            title="用地",
            description="用地红线",
            department=world.user_department.department,
            due_workdays=5,
            due_on=datetime.date(2026, 6, 22),
            status=status,
        )
    client = client_for("supervisor")
    url = reverse("service:needs") + f"?status={NeedStatus.ESCALATED}"
    tiles = dict(TILE.findall(client.get(reverse("home")).content.decode()))
    assert int(tiles[url]) == 1 == _list_count(client, url)
