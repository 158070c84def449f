"""What a transaction has read of the working-day index is kept for the rest of it
(``transaction_window``, ``index_last``), and read again once the index is written or a
savepoint that may have written it is rolled back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhaoshang.workdays.services import (
    CalendarWindow,
    add_workdays,
    ensure_range,
    index_last,
    transaction_window,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_transaction_reads_the_index_once_for_many_dates():
    window = transaction_window(D(2026, 6, 1), D(2026, 9, 30))
    with CaptureQueriesContext(connection) as queries:
        dates = [
            window.add_workdays(D(2026, 6, 1) + datetime.timedelta(days=i), 5) for i in range(60)
        ]
        assert transaction_window(D(2026, 7, 1), D(2026, 7, 2)) is window
    assert len(queries.captured_queries) == 1
    assert dates == [add_workdays(D(2026, 6, 1) + datetime.timedelta(days=i), 5) for i in range(60)]


def test_the_index_end_is_read_once_and_again_after_it_grew():
    with CaptureQueriesContext(connection) as queries:
        first = index_last()
        ensure_range(D(2027, 1, 1))  # covered already: no query
        assert index_last() == first
    assert len(queries.captured_queries) == 1
    window = transaction_window(D(2026, 6, 1), D(2026, 6, 30))
    ensure_range(first + datetime.timedelta(days=400))
    assert index_last() > first
    assert transaction_window(D(2026, 6, 1), D(2026, 6, 30)) is not window


def test_a_rolled_back_savepoint_forgets_what_was_read_inside_it():
    first = index_last()
    with pytest.raises(RuntimeError), transaction.atomic():
        ensure_range(first + datetime.timedelta(days=400))
        assert index_last() > first
        raise RuntimeError("the service refused")
    assert index_last() == first
    assert isinstance(transaction_window(D(2026, 1, 1), D(2026, 1, 2)), CalendarWindow)
