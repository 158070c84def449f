"""Query-count invariance of the district map: the page and its JSON cost as many queries
with the world's projects as with ten times more (with land parcels and lights)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.land.models import LandParcel
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.tests.map_outlines import give_outlines
from zhaoshang.testing.factories.projects import ProjectFactory


def grow(world, n: int) -> None:
    start = LandParcel.objects.count()
    projects = [
        ProjectFactory(
            district=world.district_a,
            enterprise=world.enterprise1_a,
            industry=world.industry_a,
            park=world.park1_a if i % 2 else world.park2_a,
            working_group=world.group_a,
            total_investment=Decimal(1000 * (i + 1)),
            stage_changes=False,
        )
        for i in range(n)
    ]
    LandParcel.objects.bulk_create(
        LandParcel(
            district=world.district_a,
            code=f"DK-Q-{start + i}",
            name=f"地块{start + i}",
            park=p.park,
            area=Decimal("30"),
            status="supplied" if i % 2 else "idle",
            project=p if i % 3 else None,
        )
        for i, p in enumerate(projects)
    )
    ctype = ContentType.objects.get_for_model(ApprovalCase)
    Signal.objects.bulk_create(
        Signal(
            district=world.district_a,
            subject="case",
            content_type=ctype,
            object_id=50_000 + p.pk,
            project=p,
            department=world.dept_works_a,
            title="事项",
            url="/",
            due_on=datetime.date(2026, 6, 1),
            light="red" if i % 2 else "yellow",
            since=datetime.date(2026, 6, 2),
            level=0,
            checked_on=datetime.date(2026, 6, 15),
        )
        for i, p in enumerate(projects)
        if i % 3 == 0
    )


@pytest.mark.parametrize("who", ["bureau", "park", "city"])
@pytest.mark.parametrize("route", ["monitoring:map", "monitoring:map_data"])
@pytest.mark.parametrize("query", ["", "light=red&stage=signed"])
def test_query_count_does_not_grow(client_for, world, who, route, query):
    give_outlines(world)
    client = client_for(who)
    url = reverse(route) + (f"?{query}" if query else "")

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(world, 2)  # 4 projects in district a
    small = count()
    grow(world, 36)  # 40: ten times more
    assert count() == small
    print(f"map queries {who} {route} {query!r}: {small}")  # noqa: T201 (the note's figures)
