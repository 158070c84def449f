"""Query-count invariance of the land pages, the exports and the API lists: 3 rows cost as
many queries as 23."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.land import services
from zhaoshang.land.choices import Decision, ParcelStatus
from zhaoshang.land.tests.factories import add_entry, make_campaign, make_parcel, make_supplied
from zhaoshang.projects.models import Project

_n = iter(range(1, 100000))


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow_parcels(world, n: int) -> None:
    for i in range(n):
        if i % 3 == 0:
            make_supplied(world, agreed_start_on=datetime.date(2025, 1, 1) + datetime.timedelta(i))
        elif i % 3 == 1:
            make_parcel(world, park=world.park2_a, status=ParcelStatus.RESERVED)
        else:
            make_parcel(world, "b")


@pytest.mark.parametrize("who", ["bureau", "park", "city"])
@pytest.mark.parametrize(
    "url", [reverse("land:parcels"), reverse("land:export"), "/api/v1/land-parcels/"]
)
def test_parcel_lists_do_not_grow(client_for, world, who, url):
    client = client_for(who)
    params = {"page_size": 500} if "api" in url else {}
    grow_parcels(world, 3)
    small = _count(client, url, params)
    grow_parcels(world, 20)  # the page shows 25 rows
    assert _count(client, url, params) == small


def test_parcel_page_does_not_grow_with_its_record(client_for, world):
    client = client_for("bureau")
    parcel = make_supplied(world)

    def edit(n):
        nonlocal parcel
        for _i in range(n):
            parcel = services.update_parcel(world.user_bureau, parcel, note=f"备注{next(_n)}")

    url = reverse("land:parcel", args=[parcel.pk])
    edit(3)
    small = _count(client, url)
    edit(20)
    assert _count(client, url) == small


def _projects(world, n: int) -> list[Project]:
    return [
        Project.objects.create(
            district=world.district_a,
            code=f"ZS-Q-{next(_n)}",
            name="测试项目",
            enterprise=world.enterprise1_a,
            industry=world.industry_a,
            park=world.park1_a,
            stage="signed",
            total_investment=Decimal("100"),
            signed_on=datetime.date(2025, 1, 1),
        )
        for _i in range(n)
    ]


# Each row's decision in turn: none, observed, rectified by a deadline (its confirm form
# and light), cleared out (its exit form, asked of the user's team for each project).
DECISIONS = [None, Decision.OBSERVE, Decision.RECTIFY, Decision.CLEAR]


def _decide(world, entry, i: int) -> None:
    decision = DECISIONS[i % len(DECISIONS)]
    if decision is None:
        return
    deadline = None if decision == Decision.OBSERVE else datetime.date(2026, 7, 15)
    services.decide_entry(
        world.user_supervisor, entry, decision=decision, reason="决定", deadline=deadline
    )


@pytest.mark.parametrize("who", ["supervisor", "bureau", "park", "city"])
@pytest.mark.parametrize("page", ["land:campaign", "land:campaign_export", "land:campaigns"])
def test_campaign_pages_do_not_grow(client_for, world, who, page):
    client = client_for(who)
    campaign = make_campaign(world, signed_months=3)

    def grow(n):
        for i, project in enumerate(_projects(world, n)):
            _decide(world, add_entry(campaign, project, "signed"), i)

    url = reverse(page) if page == "land:campaigns" else reverse(page, args=[campaign.pk])
    grow(3)
    small = _count(client, url)
    grow(20)
    assert _count(client, url) == small


@pytest.mark.parametrize("url", ["/api/v1/land-campaigns/", "/api/v1/land-campaign-entries/"])
def test_campaign_api_does_not_grow(client_for, world, url):
    client = client_for("bureau")
    campaign = make_campaign(world, signed_months=3)

    def grow(n):
        for i, project in enumerate(_projects(world, n)):
            _decide(world, add_entry(campaign, project), i)

    grow(3)
    small = _count(client, url, {"page_size": 500})
    grow(20)
    assert _count(client, url, {"page_size": 500}) == small
