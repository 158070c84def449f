"""Query-count invariance of the ratings list (the records rated named, one query per
kind) and of a rating's page as its record of events grows."""

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
    for i, (kind, record) in enumerate(each_kind(world, n)):
        rating = make_rating(world, kind=kind, subject=record, score=SCORES[i % 3])
        if i % 6 == 2:
            services.follow_up(world.user_supervisor, rating, note="已核实。", confirmed=i % 4 == 2)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["supervisor", "department", "city"])
def test_list_query_count_does_not_grow(client_for, world, who):
    client = client_for(who)
    url = reverse("ratings:list")
    grow(world, 1)
    small = _count(client, url)
    grow(world, 5)  # 24 rows: every kind, every score, follow-ups open and done
    large = _count(client, url)
    assert large == small


def test_detail_query_count_does_not_grow(client_for, world):
    rating = make_rating(world)
    client = client_for("supervisor")
    url = reverse("ratings:detail", args=[rating.pk])
    small = _count(client, url)
    services.follow_up(world.user_supervisor, rating, note="已核实。", confirmed=True)
    large = _count(client, url)
    assert large == small
