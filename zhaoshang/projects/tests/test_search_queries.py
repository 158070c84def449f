"""The searching pages' query counts (issue 19.3, ``projects.search``): a term the index
reads (three characters or more, or one or two Chinese characters, letters or digits) costs
one query more than one it does not — the index asked whether the term is common, before the
page's statements are built — and neither grows with the rows found."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

PAGES = ["projects:list", "projects:autocomplete", "/api/v1/projects/"]


def _grow(world, n: int) -> None:
    district = world.project1_a.district
    for _ in range(n):
        enterprise = EnterpriseFactory(district=district)
        ProjectFactory(district=district, name="检索计数项目（一）", enterprise=enterprise)


def _count(client, page: str, term: str) -> tuple[int, int]:
    path = page if page.startswith("/") else reverse(page)
    client.get(path, {"q": term})  # warm (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"q": term})
    assert response.status_code == 200
    found = response.context["count"] if page == "projects:list" else None
    if page == "/api/v1/projects/":
        found = response.json()["count"]
    elif page == "projects:autocomplete":
        found = len(response.json()["results"])
    return len(queries), found


def test_a_term_read_off_the_index_costs_one_query_more_and_none_per_row(world, client_for):
    client = client_for("bureau")
    _grow(world, 3)
    small = {page: _count(client, page, "检索计数") for page in PAGES}
    short = {page: _count(client, page, "检索") for page in PAGES}
    plain = {page: _count(client, page, "（一") for page in PAGES}  # not for the index
    _grow(world, 27)
    for page in PAGES:
        queries, found = _count(client, page, "检索计数")
        assert small[page][1] == 3 and found == (20 if "autocomplete" in page else 30), page
        # constant with the rows found
        assert queries == small[page][0], page
        assert _count(client, page, "检索")[0] == short[page][0], page
        # the term's one question to the index (``search.common``), on every page
        assert small[page][0] == short[page][0] == plain[page][0] + 1, (
            page,
            small[page],
            short[page],
            plain[page],
        )
        assert small[page][1] == short[page][1] == plain[page][1] == 3, page
