"""Query-count invariance of the complaint desk and the API list: 3 rows cost as many
queries as 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.tests.factories import make_complaint


def grow(world, n: int) -> None:
    for i in range(n):
        complaint = make_complaint(world, contact_consent=bool(i % 2))
        if i % 3:
            services.dispatch_complaint(world.user_supervisor, complaint)


@pytest.mark.parametrize("who", ["supervisor", "department", "city"])
@pytest.mark.parametrize("url", [reverse("complaints:list"), "/api/v1/complaints/"])
def test_list_query_count_does_not_grow(client_for, world, who, url):
    client = client_for(who)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 500} if "api" in url else {})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(world, 3)
    small = count()
    grow(world, 20)  # the page shows 25 rows
    large = count()
    assert large == small
