"""Query-count invariance of the approvals list, its export, the request page and the API
list: 3 rows (or visits) cost as many queries as 23."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.inspections import services
from zhaoshang.inspections.tests.factories import make_request, no_cap
from zhaoshang.testing.clients import assert_counts_again, first_counts
from zhaoshang.testing.shared import built_once_per_module


@pytest.fixture(autouse=True)
def _no_cap(world):
    no_cap(world)


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _enterprises(world, n: int, start: int) -> list:
    return [
        Enterprise.objects.create(
            district=world.district_a,
            name=f"检查企业{start + i}",
            credit_code=make_credit_code(f"91510100MA8{start + i:06d}"),
            origin="local",
        )
        for i in range(n)
    ]


def grow(world, n: int, start: int) -> None:
    for i, enterprise in enumerate(_enterprises(world, n, start)):
        make_request(
            world,
            enterprises=[enterprise, world.enterprise1_a],
            kind=["inspection", "rating"][i % 2],
            approve=bool(i % 3),
        )


WHO = ["supervisor", "department", "city"]
URLS = [reverse("inspections:list"), reverse("inspections:export"), "/api/v1/inspections/"]


def counts_on_3_rows(world) -> dict:
    """3 rows, every list's count for each person (each request in a savepoint of its own,
    rolled back), then 20 more rows (the page shows 25): made once for the module, each
    test counts again on the 23 rows in its own savepoint and compares. (Grown and counted
    in every test, the 23 requests were most of the module's CPU.)"""
    no_cap(world)
    grow(world, 3, 0)
    small = first_counts(URLS, WHO)
    grow(world, 20, 100)
    return small


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", URLS)
def test_list_query_count_does_not_grow(matrix_objects, client_for, world, who, url):
    assert_counts_again(matrix_objects, client_for(who), who, url)


@pytest.mark.parametrize("who", ["supervisor", "department", "bureau"])
def test_request_page_query_count_does_not_grow_with_its_visits(client_for, world, who):
    client = client_for(who)

    def request_with(n: int, start: int):
        enterprises = _enterprises(world, n, start)
        request = make_request(world, enterprises=enterprises, approve=True)
        # Another department's approved visits to the same enterprises: merge candidates,
        # and one joint inspection.
        land = make_request(
            world,
            by=world.user_admin,
            department=world.dept_land_a,
            enterprises=enterprises,
            approve=True,
        )
        services.merge_visits(
            world.user_supervisor,
            request.visits.order_by("id").first(),
            others=[land.visits.order_by("id").first()],
            visit_on=datetime.date(2026, 6, 26),
            lead_department=world.dept_land_a,
        )
        return request

    small = _count(client, request_with(3, 200).get_absolute_url())
    large = _count(client, request_with(23, 300).get_absolute_url())
    assert large == small
