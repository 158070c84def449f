"""``core.paging``: a count that stops past the cap, the aggregates with it in the same
statement (none past the cap), and pages that run up to the cap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.paging import CappedCountPaginator, capped_totals
from zhaoshang.org.models import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def districts(world):
    for n in range(7):
        District.objects.create(name=f"分页区{n}", code=f"fy{n:02d}")
    return District.objects.order_by("pk")


def test_the_count_and_the_aggregates_in_one_statement(districts):
    total = districts.count()
    top = districts.aggregate(top=Max("pk"))["top"]
    with CaptureQueriesContext(connection) as ctx:
        assert capped_totals(districts, None, top=Max("pk")) == {"count": total, "top": top}
        assert capped_totals(districts, total, top=Max("pk")) == {"count": total, "top": top}
        assert capped_totals(districts, 3, top=Max("pk")) == {"count": 4, "top": None}
    assert len(ctx.captured_queries) == 3
    assert "LIMIT 4" in ctx.captured_queries[-1]["sql"]
    # the rows counted, not their keys: PostgreSQL may then count off an index that holds
    # the filter's and the aggregates' columns alone (index-only, no key in it)
    assert all("COUNT(*)" in q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("orphans", [0, 2])
def test_the_pages_run_up_to_the_cap(districts, monkeypatch, orphans):
    monkeypatch.setattr(CappedCountPaginator, "cap", 5)
    paginator = CappedCountPaginator(districts, 2, orphans=orphans)
    assert paginator.capped and paginator.count == 6 and paginator.num_pages == 3
    assert paginator.last_of_cap == 3
    pages = [list(paginator.page(n).object_list) for n in (1, 2, 3)]
    assert [d for page in pages for d in page] == list(districts[:5])
    assert paginator.page(3).end_index() == 5 and paginator.page(2).end_index() == 4
    assert paginator.get_page(9).number == 3


def test_whole_is_never_capped(districts, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    paginator = CappedCountPaginator(districts, 2, whole=True)
    assert not paginator.capped and paginator.last_of_cap is None
    assert paginator.count == districts.count() and paginator.num_pages > 1


def _by_key(keys):
    return District.objects.filter(pk__in=keys)


@pytest.mark.parametrize(("cap", "whole"), [(5, False), (100, False), (2, True)])
def test_with_page_the_count_is_read_with_the_pages_keys(districts, monkeypatch, cap, whole):
    """``with_page``: one statement reads the page's keys, the count and the aggregates
    (over every match), one more the page's rows by key; the same pages, counts and
    aggregates as counted first, past the cap as well."""
    monkeypatch.setattr(CappedCountPaginator, "cap", cap)
    aggregates = {"top": Max("pk")}
    for number in (None, "x", 1, 2, 3, 4, 9, 0, -1):
        plain = CappedCountPaginator(districts, 2, aggregates=aggregates, whole=whole)
        expected = plain.get_page(number)
        keyed = CappedCountPaginator(
            districts, 2, aggregates=aggregates, whole=whole, with_page=_by_key
        )
        with CaptureQueriesContext(connection) as ctx:
            page = keyed.get_page(number)
            rows = list(page.object_list)
        assert rows == list(expected.object_list), number
        assert page.number == expected.number, number
        assert (keyed.count, keyed.capped, keyed.num_pages) == (
            plain.count,
            plain.capped,
            plain.num_pages,
        ), number
        assert keyed.totals == plain.totals, number
        assert page.end_index() == expected.end_index(), number
        wanted = number if isinstance(number, int) else 1
        bottom = (wanted - 1) * 2
        asked = wanted >= 1 and bottom < (bottom + 2 if whole else min(bottom + 2, cap))
        sql = [q["sql"] for q in ctx.captured_queries]
        if asked and bottom < districts.count():
            # a page within the matches (and the cap): its keys with the count, its rows
            assert len(sql) == 2 and "OVER ()" in sql[0], (number, sql)
        elif asked:
            # past the matches: nothing read; counted, then the last page as without it
            assert len(sql) == 3 and "OVER ()" in sql[0] and "OVER" not in sql[1], (number, sql)
        else:
            assert len(sql) == 2 and "OVER" not in " ".join(sql), (number, sql)


def test_with_page_no_match_is_counted_in_the_one_statement(districts):
    none = districts.filter(name="不存在")
    paginator = CappedCountPaginator(none, 2, aggregates={"top": Max("pk")}, with_page=_by_key)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(1)
    assert list(page.object_list) == [] and paginator.count == 0
    assert paginator.totals == {"count": 0, "top": None}
    assert len(ctx.captured_queries) == 1
