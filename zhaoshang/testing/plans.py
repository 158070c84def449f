"""A statement's query plan as one string, for tests that hold a read to an index."""

from __future__ import annotations

import re

from django.db import connection, transaction


def plan(queryset, off: tuple[str, ...] = ("enable_seqscan", "enable_bitmapscan")) -> str:
    """The plan of ``queryset``'s statement: SQLite's ``EXPLAIN QUERY PLAN`` (e.g. ``SEARCH t
    USING INDEX name (column=?)``), PostgreSQL's ``EXPLAIN`` steered off whole-table scans
    (a test's few rows would be read whole whatever the indexes), so that it names the index
    it picks among those it may use. ``off``: the PostgreSQL scans turned off (a GIN index
    is read by bitmap scans only: keep those, turn ``enable_indexscan`` off instead)."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for setting in off:
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute("EXPLAIN " + sql, params)
            return " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(row[-1] for row in cursor.fetchall())


def reads_index(queryset, index: str) -> bool:
    """Whether the plan of ``queryset`` reads the index named ``index``."""
    return re.search(rf"\b(?:INDEX|using) {re.escape(index)}\b", plan(queryset)) is not None
