"""Query-count guards of the print views (台账): every row is printed, so the number of
queries must stay the same however many rows there are (no query per row)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.tests.test_print_views import _projects
from zhaoshang.monitoring.models import Signal

pytestmark = pytest.mark.django_db


def _count(client, route: str) -> tuple[int, int]:
    """The queries of one print and the rows it printed."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(route))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.count(b"data-row=")


def _grow_projects(world, n: int, batch: str) -> None:
    _projects(world, n, stage=batch)


def _grow_signals(world, n: int, batch: str) -> None:
    ctype = ContentType.objects.get_for_model(ApprovalCase)
    start = 50_000 if batch == "signed" else 60_000
    Signal.objects.bulk_create(
        Signal(
            district=world.district_a,
            subject="case",
            content_type=ctype,
            object_id=start + i,
            project=world.project1_a if i % 2 else world.project2_a,
            department=world.dept_works_a,
            title=f"计数事项{start + i}",
            url="/",
            due_on=datetime.date(2026, 6, 1),
            days_left=-5,
            light="red",
            since=datetime.date(2026, 6, 2),
            level=0,
            checked_on=datetime.date(2026, 6, 15),
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("route", "grow"),
    [("projects:print", _grow_projects), ("monitoring:print", _grow_signals)],
)
def test_a_print_view_s_queries_do_not_grow_with_its_rows(client_for, world, route, grow):
    client = client_for("bureau")
    grow(world, 2, "signed")
    few_queries, few_rows = _count(client, route)
    grow(world, 12, "started")
    many_queries, many_rows = _count(client, route)
    assert many_rows >= few_rows + 12
    assert many_queries == few_queries
