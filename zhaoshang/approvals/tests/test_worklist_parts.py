"""The worklist read in parts (``querysets.WORKLIST_PARTS`` through ``core.parts.InParts``,
issue 19.3): every page holds the rows of the list's own order (``views.filtered_cases``:
running first by due date, then paused and not started, due date none last, then id),
whatever the mix of cases and the filters; the page costs the same statements whatever
the number of cases (the parts' counts, the page's keys, its rows: three statements, as
before)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.querysets import WORKLIST_INDEX_TERMS, WORKLIST_PARTS
from zhaoshang.approvals.tests.pages import day, make_case, worklist_ids
from zhaoshang.approvals.views import filtered_cases
from zhaoshang.core.parts import InParts


def _cases(world) -> None:
    """Open cases of every part — running (overdue, due today, later; ties on the due
    date), paused with and without a due date, not started — and closed ones."""
    june = day("2026-06-01")
    for n in range(12):
        due = june + datetime.timedelta(days=n // 2 * 5)  # two cases per due date
        status = [CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.REPORTED][n % 3]
        make_case(world, due_on=due, status=status)
        make_case(world, due_on=due, status=CaseStatus.SUPPLEMENT, paused=n % 2 == 0)
    for _n in range(5):
        make_case(world, status=CaseStatus.PENDING)
        make_case(world, status=CaseStatus.ACCEPTED, paused=True)  # paused, no due date yet
        make_case(world, due_on=june, status=CaseStatus.DONE)
        make_case(world, due_on=june, status=CaseStatus.RETURNED)
    make_case(world, department=world.dept_land_a, due_on=june)


def _cases_of(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    return filtered_cases(request)[1]


@pytest.mark.parametrize(
    "params",
    [{}, {"light": "red"}, {"light": "paused"}, {"status": CaseStatus.PENDING}, {"green": "1"}],
)
@pytest.mark.parametrize("who", ["bureau", "department", "city"])
def test_every_slice_in_parts_is_the_list_s(world, who, params):
    _cases(world)
    qs = _cases_of(getattr(world, f"user_{who}"), **params)
    whole = list(qs.values_list("pk", flat=True))
    in_parts = InParts(qs, WORKLIST_PARTS, index_terms=WORKLIST_INDEX_TERMS)
    assert in_parts.count() == len(whole)
    assert sum(in_parts.counts()) == qs.count()
    for start in range(0, len(whole) + 2, 7):
        for width in (1, 5, 25):
            assert [c.pk for c in in_parts[start : start + width]] == whole[start : start + width]
    if whole:
        assert in_parts[len(whole) - 1].pk == whole[-1]
    if who == "bureau" and not params:  # every part is there
        assert all(in_parts.counts()) and len(whole) > 25


def test_the_pages_keep_the_order_and_cost_three_statements(world, client_for):
    _cases(world)
    whole = list(_cases_of(world.user_bureau).values_list("pk", flat=True))
    client = client_for("bureau")
    pages = [worklist_ids(client, page=n) for n in range(1, (len(whole) + 24) // 25 + 1)]
    assert len(pages) >= 2 and sum(pages, []) == whole
    part = InParts(_cases_of(world.user_bureau), WORKLIST_PARTS, index_terms=WORKLIST_INDEX_TERMS)
    with CaptureQueriesContext(connection) as ctx:
        part[20:45]  # across the three parts
    assert len(ctx.captured_queries) == 3  # the parts' counts, the page's keys, its rows
    # The counts and the keys are read without the list's days left and lights (each a
    # working-day lookup per row, built again for every part's sub-select): only the
    # page's rows carry them.
    assert not part.keys.query.annotations
    counts, keys, rows = (q["sql"] for q in ctx.captured_queries)
    assert "workdays_day" not in counts and "workdays_day" not in keys, (counts, keys)
    assert "workdays_day" in rows


def test_the_keys_are_read_without_annotations_unless_they_group_rows(world):
    """``keys_only`` drops what a queryset annotates (a filter on an annotation keeps its
    expression in the WHERE clause: the light filter still selects the red cases) but
    keeps a queryset whose annotations aggregate, which would change its rows."""
    from django.db.models import Count

    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.core.parts import keys_only

    _cases(world)
    red = _cases_of(world.user_bureau, light="red")
    assert red.exists()
    lean = keys_only(red)
    assert not lean.query.annotations
    assert set(lean.values_list("pk", flat=True)) == set(red.values_list("pk", flat=True))
    assert set(lean.values_list("pk", flat=True)) < set(
        keys_only(_cases_of(world.user_bureau)).values_list("pk", flat=True)
    )
    grouped = ApprovalCase.objects.values("department").annotate(n=Count("pk"))
    assert keys_only(grouped).query.annotations.keys() == {"n"}


@pytest.mark.parametrize(
    ("part", "index"), [(0, "approvals_case_running"), (1, "approvals_case_paused")]
)
def test_a_part_is_cut_off_its_partial_index(world, part, index):
    """The statuses written in the statement (``LiteralIn``) let SQLite match the index's
    condition; bound, they did not, and it walked every case of the district by due date."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan (PostgreSQL matches the bound statuses too)")
    q, order = WORKLIST_PARTS[part]
    cut = _cases_of(world.user_bureau).filter(q, WORKLIST_INDEX_TERMS).order_by(*order)
    sql, params = cut.values("pk")[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert f"USING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan


def test_literal_in_takes_plain_words_only():
    from django.db.models import F

    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.core.parts import LiteralIn

    with pytest.raises(ValueError, match="plain words"):
        str(ApprovalCase.objects.filter(LiteralIn(F("status"), ["x' OR 1=1 --"])).query)
