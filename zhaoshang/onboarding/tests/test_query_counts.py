"""Each page of the ledger import costs a bounded number of queries, whatever the number of
batches, sheets' rows or records created (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.models import ImportStatus
from zhaoshang.onboarding import services
from zhaoshang.onboarding.tests.files import PROJECTS, ledger_xlsx, upload

pytestmark = pytest.mark.django_db

PARKS = {"装备园": "装备制造产业园", "食品园": "食品饮料产业园"}


def _projects(n: int, tag: str = "") -> list[tuple]:
    return [(i + 1, f"{tag}{base[1]}{i + 1}号", *base[2:]) for i, base in enumerate(PROJECTS * n)]


def imported_batch(world, n: int = 1, tag: str = ""):
    """A batch of 3 × n projects, mapped as suggested (their park names to ours), imported."""
    batch = services.create_batch(
        world.user_bureau, upload(ledger_xlsx(_projects(n, tag))), "workbook"
    )
    sheets = services.sheets(batch)
    sheets[0]["values"] = {"park": dict(PARKS)}
    services.save_sheets(batch, sheets)
    services.check(batch, world.user_bureau)
    assert batch.status == ImportStatus.CHECKED, batch.problems
    services.run(batch, world.user_bureau)
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    return batch


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# Each page's statements, the session, its user (with district and department) and the unread
# count included.
PAGES = {
    "onboarding:index": 6,
    "onboarding:batch": 8,
    "onboarding:sheets": 6,
    "onboarding:columns": 5,
    "onboarding:values": 9,
    "onboarding:check": 5,
    "onboarding:progress": 4,
}


@pytest.mark.parametrize("route", list(PAGES))
def test_each_page_is_within_its_query_budget(
    client_for, world, route, django_assert_max_num_queries
):
    batch = imported_batch(world)
    if route in (
        "onboarding:sheets",
        "onboarding:columns",
        "onboarding:values",
        "onboarding:check",
    ):
        batch = services.create_batch(world.user_bureau, upload(ledger_xlsx()), "workbook")
    url = reverse(route) if route == "onboarding:index" else reverse(route, args=[batch.pk])
    client = client_for("bureau")
    client.get(url)  # caches warmed (content types, the session's user)
    with django_assert_max_num_queries(PAGES[route]):
        response = client.get(url)
    assert response.status_code == 200


def test_the_result_page_costs_as_much_for_3_records_as_for_30(client_for, world):
    small, large = imported_batch(world, 1, "甲"), imported_batch(world, 10, "乙")
    client = client_for("bureau")
    for batch in (small, large):
        _count(client, reverse("onboarding:batch", args=[batch.pk]))  # warm
    assert large.created_count == 30
    assert _count(client, reverse("onboarding:batch", args=[small.pk])) == _count(
        client, reverse("onboarding:batch", args=[large.pk])
    )


def test_the_batches_list_costs_as_much_for_1_batch_as_for_5(client_for, world):
    client = client_for("bureau")
    imported_batch(world)
    url = reverse("onboarding:index")
    _count(client, url)
    one = _count(client, url)
    for _ in range(4):
        services.create_batch(world.user_bureau, upload(ledger_xlsx()), "workbook")
    assert _count(client, url) == one


def test_the_values_page_costs_as_much_for_3_rows_as_for_30(client_for, world):
    client = client_for("bureau")
    small = services.create_batch(world.user_bureau, upload(ledger_xlsx()), "workbook")
    large = services.create_batch(world.user_bureau, upload(ledger_xlsx(_projects(10))), "workbook")
    for batch in (small, large):
        _count(client, reverse("onboarding:values", args=[batch.pk]))
    assert _count(client, reverse("onboarding:values", args=[small.pk])) == _count(
        client, reverse("onboarding:values", args=[large.pk])
    )
