"""Query-count invariance of the portal's ratings page and its API list: the ratings, the
records they rate (one query per kind) and the records still to rate (one per kind) cost
as many queries for 2 records of each kind as for 7."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.ratings import services
from zhaoshang.ratings.tests.factories import make_rating
from zhaoshang.ratings.tests.records import each_kind

SCORES = ("satisfied", "fairly", "dissatisfied")


def grow(world, n: int) -> None:
    """n records of each kind; every other one of each kind rated (each kind has one to
    rate and one rated), some 不满意 followed up."""
    seen: dict[str, int] = {}
    for i, (kind, record) in enumerate(each_kind(world, n)):
        seen[kind] = seen.get(kind, -1) + 1
        if seen[kind] % 2:
            continue
        rating = make_rating(world, kind=kind, subject=record, score=SCORES[i % 3])
        if rating.followup == "open" and i % 4 == 0:
            services.follow_up(world.user_supervisor, rating, note="已核实。", confirmed=False)


def _count(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [reverse("portal:ratings"), "/api/v1/portal/ratings/"])
def test_ratings_query_count_does_not_grow(client_for, world, url):
    client = client_for("enterprise")
    grow(world, 2)
    small = _count(client, url)
    grow(world, 5)
    large = _count(client, url)
    assert large == small
