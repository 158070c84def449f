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
from zhaoshang.testing.clients import api_params, counted_apart, counted_get
from zhaoshang.testing.shared import built_once_per_module

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


PARCEL_WHO = ["bureau", "park", "city"]
PARCEL_URLS = [reverse("land:parcels"), reverse("land:export"), "/api/v1/land-parcels/"]


@pytest.mark.parametrize("who", PARCEL_WHO)
@pytest.mark.parametrize("url", PARCEL_URLS)
def test_parcel_lists_do_not_grow(matrix_objects, client_for, world, who, url):
    status, small = matrix_objects["parcels"][url, who]
    assert status == 200, url
    status, large = counted_get(client_for(who), url, api_params(url))
    assert status == 200, url
    assert large == small


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


CAMPAIGN_WHO = ["supervisor", "bureau", "park", "city"]
CAMPAIGN_PAGES = ["land:campaign", "land:campaign_export", "land:campaigns"]


def _campaign_url(page, campaign) -> str:
    return reverse(page) if page == "land:campaigns" else reverse(page, args=[campaign.pk])


def _grow_campaign(world, campaign, n: int) -> None:
    for i, project in enumerate(_projects(world, n)):
        _decide(world, add_entry(campaign, project, "signed"), i)


def counts_on_3_rows(world) -> dict:
    """3 parcels, every parcel list's count for each person (each request in a savepoint
    of its own, rolled back), 20 more parcels (the page shows 25); then a campaign with 3
    entries, every campaign page's count for each person, 20 more entries. Made once for
    the module: each test counts again on the 23 rows in its own savepoint and compares.
    (Grown and counted in every test, the parcels and the entries were most of the module's
    CPU.)"""

    def counts(who_urls) -> dict:
        found = {}
        for key, who, url in who_urls:
            found[key] = counted_apart(who, url, api_params(url))
        return found

    grow_parcels(world, 3)
    parcels = counts(((url, who), who, url) for url in PARCEL_URLS for who in PARCEL_WHO)
    grow_parcels(world, 20)
    campaign = make_campaign(world, signed_months=3)
    _grow_campaign(world, campaign, 3)
    pages = counts(
        ((page, who), who, _campaign_url(page, campaign))
        for page in CAMPAIGN_PAGES
        for who in CAMPAIGN_WHO
    )
    _grow_campaign(world, campaign, 20)
    return {"parcels": parcels, "campaign": campaign, "campaign_pages": pages}


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize("who", CAMPAIGN_WHO)
@pytest.mark.parametrize("page", CAMPAIGN_PAGES)
def test_campaign_pages_do_not_grow(matrix_objects, client_for, world, who, page):
    status, small = matrix_objects["campaign_pages"][page, who]
    url = _campaign_url(page, matrix_objects["campaign"])
    assert status == 200, url
    status, large = counted_get(client_for(who), url, api_params(url))
    assert status == 200, url
    assert large == small


@pytest.mark.parametrize("url", ["/api/v1/land-campaigns/", "/api/v1/land-campaign-entries/"])
def test_campaign_api_does_not_grow(matrix_objects, client_for, world, url):
    """(On the module's campaign, a district's one of the half-year, with its 23 entries.)"""
    client = client_for("bureau")
    campaign = matrix_objects["campaign"]

    def grow(n):
        for i, project in enumerate(_projects(world, n)):
            _decide(world, add_entry(campaign, project), i)

    grow(3)
    small = _count(client, url, {"page_size": 500})
    grow(20)
    assert _count(client, url, {"page_size": 500}) == small
