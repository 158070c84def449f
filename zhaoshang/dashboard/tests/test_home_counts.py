"""The department's home counts its cases off the index that finds them: ``COUNT(*)`` or
``COUNT(1)``, never ``COUNT(id)``, which on PostgreSQL fetches every counted row from the
table to read its key (a department's 17,000 pending cases at 50,000 projects in one
district: 9 ms against 3, its 5,000 lit ones 3.5 ms against 1; issue 19.3)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.testing.clients import SESSIONS, client_with_session

pytestmark = pytest.mark.django_db


def test_the_department_s_case_counts_read_no_column(world):
    client = client_with_session(SESSIONS["department"])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    cases = [q["sql"] for q in ctx.captured_queries if "approvals_approvalcase" in q["sql"]]
    counts = [sql for sql in cases if "COUNT(" in sql]
    assert len(counts) >= 2, cases  # the pending ones and the lit ones
    column = connection.ops.quote_name("id")
    assert not any(
        f"COUNT({connection.ops.quote_name('approvals_approvalcase')}.{column})" in sql
        for sql in counts
    ), counts
