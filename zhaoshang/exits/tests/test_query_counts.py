"""Query-count invariance: the warnings desk, its export, the API list and the warning page
cost as many queries for 3 rows (or causes) as for 23."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.agreements.models import Commitment, Milestone
from zhaoshang.exits import services
from zhaoshang.exits.tests.factories import make_warning, pdf
from zhaoshang.projects.models import Project
from zhaoshang.testing.clients import assert_counts_again, first_counts
from zhaoshang.testing.shared import built_once_per_module

D = datetime.date


def grow(world, n: int) -> None:
    start = Project.objects.count()
    for i in range(n):
        project = Project.objects.create(
            district=world.district_a,
            code=f"ZS-2024-{start + i:04d}",
            name=f"测试项目{start + i}",
            enterprise=world.enterprise1_a if i % 2 else world.enterprise2_a,
            park=world.park1_a if i % 3 else world.park2_a,
            total_investment=Decimal("1000"),
        )
        warning = make_warning(world, project=project)
        if i % 2:
            services.issue_notice(
                world.user_supervisor, warning, deadline=D(2026, 7, 1), document=pdf()
            )


WHO = ["supervisor", "park", "city"]
URLS = [reverse("exits:list"), reverse("exits:export"), "/api/v1/warnings/"]


def counts_on_3_rows(world) -> dict:
    """3 rows, every list's count for each person (each request in a savepoint of its own,
    rolled back), then 20 more rows (the desk shows 25): made once for the module, each
    test counts again on the 23 rows in its own savepoint and compares. (Grown and counted
    in every test, the 23 warnings were most of the module's CPU.)"""
    grow(world, 3)
    small = first_counts(URLS, WHO)
    grow(world, 20)
    return small


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", URLS)
def test_list_query_count_does_not_grow(matrix_objects, client_for, world, who, url):
    assert_counts_again(matrix_objects, client_for(who), who, url)


def _milestones(world, commitment, first: int, n: int) -> None:
    for seq in range(first, first + n):
        Milestone.objects.create(
            commitment=commitment,
            seq=seq,
            name=f"节点{seq}",
            duration_workdays=3,
            planned_start_on=D(2026, 2, 10),
            due_on=D(2026, 3, 2) + datetime.timedelta(days=seq),
            done_on=D(2026, 4, 1),
            owner_department=world.dept_land_a,
        )


def test_warning_page_query_count_does_not_grow(client_for, world):
    warning = make_warning(world)
    commitment = Commitment.objects.create(
        district=world.district_a,
        project=world.project1_a,
        department=world.dept_land_a,
        title="办理不动产权证",
        content="交地后办理产权证",
        start_on=D(2026, 2, 10),
        target_on=D(2026, 6, 30),
        created_by=world.user_bureau,
    )
    client = client_for("supervisor")
    url = warning.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _milestones(world, commitment, 1, 3)
    small = count()
    _milestones(world, commitment, 4, 20)
    large = count()
    assert large == small
