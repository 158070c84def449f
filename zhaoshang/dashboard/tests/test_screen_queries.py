"""The big screen and its JSON cost as many queries with 3 projects as with 30 (each with
a signal, funds, a stage event and a light snapshot of this week): counts and sums are
grouped in SQL and the lists are capped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.dashboard.tests.screen_records import grow, target
from zhaoshang.monitoring.tests.map_outlines import give_outlines


@pytest.mark.parametrize("route", ["screen", "screen_data"])
@pytest.mark.parametrize(
    ("who", "district"), [("bureau", None), ("park", None), ("city", None), ("city", "a")]
)
def test_query_count_does_not_grow(client_for, world, route, who, district):
    give_outlines(world)
    target(world.district_a)
    target(world.district_b)
    client = client_for(who)
    url = reverse(route)
    if district:
        url += f"?district={getattr(world, f'district_{district}').pk}"

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(world, 3)
    grow(world, 2, tag="b")
    small = count()
    grow(world, 27)
    grow(world, 18, tag="b")
    assert count() == small
    print(f"screen queries {who} {district or ''} {route}: {small}")  # noqa: T201
