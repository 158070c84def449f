"""Query-count invariance of the monitoring pages: 3 signals cost as many queries as 23."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.monitoring.models import Signal


def grow(world, n: int) -> None:
    ctype = ContentType.objects.get_for_model(ApprovalCase)
    start = Signal.objects.count()
    Signal.objects.bulk_create(
        Signal(
            district=world.district_a,
            subject="case" if i % 2 else "need",
            content_type=ctype,
            object_id=10_000 + start + i,
            project=world.project1_a if i % 3 else world.project2_a,
            department=world.dept_works_a,
            title=f"事项{i}",
            url="/",
            due_on=datetime.date(2026, 6, 1),
            light="red" if i % 2 else "yellow",
            since=datetime.date(2026, 6, 2),
            level=i % 5,
            checked_on=datetime.date(2026, 6, 15),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("who", ["supervisor", "park", "city"])
@pytest.mark.parametrize(
    "route",
    [
        "monitoring:board",
        "monitoring:export",
        "monitoring:print",
        "monitoring:project",
    ],
)
def test_query_count_does_not_grow(client_for, world, who, route):
    client = client_for(who)
    url = reverse(route, args=[world.project1_a.pk] if route == "monitoring:project" else [])

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(world, 3)
    small = count()
    grow(world, 20)
    assert count() == small
