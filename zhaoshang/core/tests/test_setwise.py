"""``core.setwise.plain_rows`` reads a ``values_list()`` as Django reads it: the same tuples,
each value converted by the same converters (decimals of a column and of a subquery, dates,
NULLs, texts), in the same order, across chunks."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery

from zhaoshang.core.setwise import plain_rows
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.tests.test_query_counts import grow


def test_plain_rows_are_the_rows_django_reads(world):
    grow(world, 30)
    signals = list(Signal.objects.order_by("pk"))
    for i, signal in enumerate(signals):  # values repeated down the columns, and NULLs
        signal.gap = [None, Decimal("12.5"), Decimal("-3.0"), Decimal("12.5")][i % 4]
        signal.due_on = [None, datetime.date(2026, 7, 1), datetime.date(2026, 7, 2)][i % 3]
    Signal.objects.bulk_update(signals, ["gap", "due_on"])
    money = DecimalField(max_digits=16, decimal_places=2)
    gap_of = Signal.objects.filter(pk=OuterRef("pk")).values("gap")[:1]
    rows = (
        Signal.objects.annotate(sub_gap=Subquery(gap_of, output_field=money))
        .order_by("-pk")
        .values_list("pk", "project_id", "title", "gap", "due_on", "sub_gap", "light")
    )
    expected = list(rows)
    got = list(plain_rows(rows, chunk_size=7))
    assert [[(type(v), v) for v in row] for row in got] == [
        [(type(v), v) for v in row] for row in expected
    ]
    assert len(got) == len(signals) >= 30
    assert {row[3] for row in got} == {None, Decimal("12.5"), Decimal("-3.0")}
