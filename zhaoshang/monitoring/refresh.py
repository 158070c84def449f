"""The signals brought in line with today's lights, in the database (issue 19).

For each subject the lit rows are written once into a temporary table (``zs_lit``): by
``INSERT … SELECT`` from the source's query (``sources.Source.query``), plus the plain
rows SQL cannot phrase (``Source.extra``), or by the source's own ``Source.fill`` (the
investment schedule). Three statements then make the stored signals of
the subject (of the districts scanned) equal to it: a ``DELETE`` of the signals no longer
lit, an ``UPDATE … FROM`` of those whose values moved (compared column by column, a NULL
equal to a NULL) and an ``INSERT … SELECT`` of the new ones, each with the day it turned
(``since``: an overdue thing the day after its due date, any other today). A second run on
a day finds nothing to write and reads nothing into Python.

``tests/test_signals_sql.py`` checks that this writes what comparing the rows one by one in
Python writes.
"""

from __future__ import annotations

import datetime

from django.db import connections, router

from zhaoshang.core.bulk import execute_rows, preparer
from zhaoshang.core.lights import Light, windows_in_statement
from zhaoshang.core.setwise import (
    analyze_after,
    compiled,
    date_param,
    day_after,
    differs,
    kept_whole,
)
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.sources import COLUMNS, LIT, NAMES, SOURCES, content_type_of

TABLE = "zs_lit"
TYPES = {
    "object_id": "bigint PRIMARY KEY",  # on SQLite the rowid itself (``_prepare``)
    "district_id": "bigint",
    "project_id": "bigint",
    "department_id": "bigint",
    "title": "varchar(200)",
    "url": "varchar(200)",
    "due_on": "date",
    "gap": "numeric(6, 1)",
    "light": "varchar(10)",
}
# The values a signal carries from its source (``COLUMNS`` less the object's id).
VALUES = COLUMNS[1:]


def _prepare(connection, cursor) -> None:
    types = dict(TYPES)
    if connection.vendor == "sqlite":
        # The object's id as the rowid (SQLite's ``INTEGER PRIMARY KEY``, 64 bits): one
        # B-tree written per lit row rather than the table and an index on it, and the
        # comparisons below look each signal's row up by its key.
        types["object_id"] = "integer PRIMARY KEY"
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} "
        f"({', '.join(f'{c} {types[c]}' for c in COLUMNS)})"
    )
    cursor.execute(f"DELETE FROM {TABLE}")


def _fill(connection, cursor, subject: str, today: datetime.date, district_ids) -> None:
    source = SOURCES[subject]
    if source.fill is not None:
        given_rows = source.fill(connection, cursor, TABLE, today, district_ids)
    elif source.extra is not None:
        given_rows = source.extra(today, district_ids)
    else:
        given_rows = None
    if source.query is not None and source.fill is None:
        # each district's yellow window written into the statement, not looked up per row
        with windows_in_statement():
            sql, params = compiled(source.query(today, district_ids), connection)
        names = ", ".join(NAMES)
        into = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)})"
        if connection.vendor == "sqlite":
            # Every row written in the order of the table's key, each row's light computed
            # once, then the unlit ones deleted: a source read by its due dates finds its
            # rows in no order of ids, and SQLite writing them into the key's pages at random
            # (or keeping them in a materialized step first) costs twice the query (cases:
            # 0.35 s against 0.18 s, obligations 0.34 against 0.28, at 100,000 projects).
            cursor.execute(
                f"{into} SELECT {names} FROM ({sql}) zs_rows ORDER BY lit_object_id", params
            )
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE light IS NULL OR light NOT IN (%s, %s)", [*LIT]
            )
        else:
            # Each row's light computed once, kept in a materialized step, then filtered
            # (a filter on the light in the query itself would compute it twice for a lit
            # row).
            cursor.execute(
                f"WITH zs_rows AS MATERIALIZED ({sql}) {into} "
                f"SELECT {names} FROM zs_rows WHERE lit_light IN (%s, %s)",
                [*params, *LIT],
            )
    if given_rows is not None:
        meta = Signal._meta
        fields = [meta.pk if c == "object_id" else meta.get_field(c) for c in COLUMNS]
        # one row per object, the last one given (a project's schedule may come from two
        # of its agreements: the comparison kept the last)
        given = {row[0]: row for row in given_rows}
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        execute_rows(
            connection,
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            [preparer(f, connection) for f in fields],
            given.values(),
        )


def refresh_subject(
    subject: str, today: datetime.date, district_ids=None, steps=None
) -> tuple[int, int, int]:
    """Bring the stored signals of ``subject`` (of ``district_ids``; None: every district)
    in line with its lit rows today. Returns (created, updated, removed).

    ``steps``: SQL and its parameters, on a new signal's columns under the signal table's
    name, of the step of the chain it goes in at (``services.unheard_steps``: escalated
    today, unassigned, when above none); None: every new signal at none."""
    connection = connections[router.db_for_write(Signal)]
    quote = connection.ops.quote_name
    signal = quote(Signal._meta.db_table)
    column = {name: quote(Signal._meta.get_field(name).column) for name in VALUES}
    day = date_param(connection, today)
    scope, scope_params = "", []
    if district_ids is not None:
        ids = list(district_ids) or [0]
        scope = f" AND {signal}.{column['district_id']} IN ({', '.join(['%s'] * len(ids))})"
        scope_params = ids
    with connection.cursor() as cursor:
        _prepare(connection, cursor)
        _fill(connection, cursor, subject, today, district_ids)
        cursor.execute(
            f"DELETE FROM {signal} WHERE {signal}.subject = %s{scope} AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} l WHERE l.object_id = {signal}.object_id)",
            [subject, *scope_params],
        )
        removed = cursor.rowcount
        moved = " OR ".join(differs(connection, f"{signal}.{column[c]}", f"l.{c}") for c in VALUES)
        cursor.execute(
            f"UPDATE {signal} SET "
            + ", ".join(f"{column[c]} = l.{c}" for c in VALUES)
            + f", checked_on = %s FROM {TABLE} l WHERE {signal}.subject = %s "
            f"AND {signal}.object_id = l.object_id AND ({moved})",
            [day, subject],
        )
        updated = cursor.rowcount
        step, step_params = steps if steps is not None else (str(int(Level.NONE)), [])
        # (a date parameter alone in a CASE: typed for PostgreSQL)
        typed_day = "%s::date" if connection.vendor == "postgresql" else "%s"
        # The new rows under the signal table's name (``steps`` reads a signal's columns),
        # each one's step computed once, in a subquery an OFFSET keeps SQLite and
        # PostgreSQL from flattening into the statement (which would copy the step's
        # expression into each of the three columns that read it). SQLite runs it as a
        # co-routine, handing its rows on in its own order (the temporary table's key);
        # PostgreSQL knows a subquery's order.
        fence = kept_whole(connection)
        order = "" if connection.vendor == "sqlite" else " ORDER BY n.object_id"
        cursor.execute(
            f"INSERT INTO {signal} (subject, content_type_id, object_id, "
            + ", ".join(column[c] for c in VALUES)
            + ", since, checked_on, level, escalated_on, unassigned) "
            "SELECT %s, %s, n.object_id, "
            + ", ".join(f"n.{c}" for c in VALUES)
            + f", CASE WHEN n.light = %s AND n.due_on < %s THEN {day_after(connection, 'n.due_on')}"
            f" ELSE %s END, %s, n.zs_step, CASE WHEN n.zs_step > %s THEN {typed_day} END, "
            f"n.zs_step > %s FROM (SELECT {signal}.*, {step} AS zs_step FROM (SELECT l.* "
            f"FROM {TABLE} l WHERE NOT EXISTS (SELECT 1 FROM {signal} s WHERE s.subject = %s "
            f"AND s.object_id = l.object_id)) {signal} ORDER BY {signal}.object_id {fence}) n"
            f"{order}",
            [
                subject,
                content_type_of(subject).pk,
                Light.RED,
                day,
                day,
                day,
                Level.NONE,
                day,
                Level.NONE,
                *step_params,
                subject,
            ],
        )
        created = cursor.rowcount
        cursor.execute(f"DELETE FROM {TABLE}")
    analyze_after(Signal, created + updated + removed)
    return created, updated, removed
