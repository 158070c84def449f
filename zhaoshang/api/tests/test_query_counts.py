"""Query-count invariance of every API list: 3 rows cost as many queries as 30."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.api.tests.world_api import RESOURCES, make_record, url
from zhaoshang.org.models import IndustryClass

MARK = "计数"  # every row made here has it in its name; ?q= lists only them


_counter = itertools.count()


def _next() -> int:
    return next(_counter)


def grow(world, resource: str, n: int) -> None:
    """Add n rows with every relation the list shows filled in, each row its own."""
    for _ in range(n):
        if resource == "projects":
            enterprise = make_record(world, "enterprises", "a")
            project = make_record(
                world,
                "projects",
                "a",
                name=f"{MARK}项目",
                enterprise=enterprise,
                industry=make_record(world, "industries", "a"),
                working_group=world.group_a,
                designated_leader=world.user_manager,
            )
            project.paired_departments.set(
                [make_record(world, "departments", "a"), world.dept_works_a]
            )
        elif resource == "parks":
            make_record(
                world,
                "parks",
                "a",
                name=f"{MARK}园区{_next()}",
                committee=make_record(world, "departments", "a"),
            )
        elif resource == "industries":
            make_record(
                world,
                "industries",
                "a",
                name=f"{MARK}产业{_next()}",
                gbt_class=IndustryClass.objects.filter(level="division")[_next() % 40],
            )
        else:
            make_record(world, resource, "a", name=f"{MARK}{resource}{_next()}")


def count_queries(api, resource: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url(resource), {"q": MARK, "page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == rows
    assert len(response.json()["results"]) == rows
    return len(ctx.captured_queries)


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_query_count_does_not_grow_with_rows(world, api_for, resource):
    api = api_for("bureau")
    grow(world, resource, 3)
    small = count_queries(api, resource, 3)
    grow(world, resource, 27)
    large = count_queries(api, resource, 30)
    print(f"\n/api/v1/{resource}/: {small} queries for 3 rows, {large} for 30")
    assert small == large


@pytest.mark.parametrize("resource", RESOURCES)
def test_city_list_query_count_does_not_grow_with_rows(world, api_for, resource):
    """The city user reads every district: same invariant."""
    api = api_for("city")
    grow(world, resource, 3)
    small = count_queries(api, resource, 3)
    grow(world, resource, 27)
    assert count_queries(api, resource, 30) == small
