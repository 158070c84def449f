"""The investment schedule's lights computed by the database (the daily scan's refresh,
issue 19 point 4): the gaps of the agreements whose plan to date needs no interpolation, in
integers on cents, rounded half to even as ``Decimal`` rounds them
(``monitoring.sources._schedules`` is the same in Python; ``tests/test_schedule_sql.py``
checks that the two write the same rows)."""

from __future__ import annotations

import datetime

from zhaoshang.agreements.models import Obligation
from zhaoshang.core.lights import Light
from zhaoshang.monitoring import sources


def in_cents(column: str) -> str:
    """SQL: an amount of two decimals (a NUMERIC on PostgreSQL, a REAL on SQLite) in cents,
    an integer."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def tenths(planned: str, done: str, total: str) -> str:
    """SQL: the gap ``(planned - done) / total * 100`` in tenths of a point, rounded half to
    even as ``Decimal.quantize`` rounds it, in integers (amounts in cents); NULL when it is
    not positive (never lit: the gaps are at least 1 point) or 10⁸ points and beyond (where
    ``Decimal``'s 28 digits would round the quotient before the quantization)."""
    a = f"({planned} - {done})"
    whole, rest = f"({a} / {total})", f"((({a}) %% {total}) * 1000)"
    t = f"({whole} * 1000 + {rest} / {total})"
    r = f"({rest} %% {total})"
    return (
        f"CASE WHEN {planned} IS NULL OR {planned} <= {done} OR {whole} >= 1000000 THEN NULL "
        f"ELSE {t} + CASE WHEN 2 * {r} > {total} OR (2 * {r} = {total} AND {t} %% 2 = 1) "
        "THEN 1 ELSE 0 END END"
    )


SCHEDULE_TABLE = "zs_schedule"
GAPS_TABLE = "zs_schedule_gaps"
# The columns of ``sources._schedule_base``, as the schedule's table names them.
NAMES = [
    "pk",
    "district_id",
    "project_id",
    "name",
    "total",
    *(f"{p}_{c}" for p in "fi" for c in sources.SCHEDULE_POINT),
    "yellow",
    "red",
]


def schedule_table(connection, cursor, today: datetime.date, district_ids) -> tuple[str, list]:
    """SQL and parameters of the rows of ``sources._schedule_base``, column for column,
    each measure's last and next point read by its key: one lookup of the point's key and
    its row by that key, rather than a lookup of the point for each of its date and amount
    (0.39 → 0.21 s at 100,000 agreements)."""
    keyed = sources._schedule_base(today, district_ids, keys=True)
    sql, params = keyed.query.get_compiler(connection=connection).as_sql()
    cursor.execute(f"SELECT * FROM ({sql}) zs_k LIMIT 0", params)
    q = connection.ops.quote_name
    got = [f"zs_k.{q(d[0])}" for d in cursor.description]  # as the query names its columns
    head, measures, tail = got[:5], got[5:-2], got[-2:]
    table = q(Obligation._meta.db_table)
    columns, joins = list(head), []
    for i, prefix in enumerate("fi"):
        prev_key, next_key, done = measures[3 * i : 3 * i + 3]
        for point, key in (("prev", prev_key), ("next", next_key)):
            alias = f"zs_{prefix}{point}"
            joins.append(f"LEFT JOIN {table} {alias} ON {alias}.{q('id')} = {key}")
            columns += [f"{alias}.{q('due_on')}", f"{alias}.{q('target_amount')}"]
        columns.append(done)
    columns += tail
    named = ", ".join(f"{c} AS {q(n)}" for c, n in zip(columns, NAMES, strict=True))
    return f"SELECT {named} FROM ({sql}) zs_k {' '.join(joins)}", list(params)


def fill(connection, cursor, table: str, today: datetime.date, district_ids) -> list:
    """The schedule's lit rows written into ``table`` (the refresh's ``zs_lit``): every
    agreement's measures kept once in a temporary table, the gaps of those whose plan to
    date needs no interpolation (a measure's last point to date and no next one with a
    target: the plan is the point's target) computed and lit by the database in integers —
    exactly the ``Decimal`` gaps of ``sources._lit_schedules`` — and the others (a measure between
    two points, or a gap too large to compute exactly in integers) returned as plain rows, computed in Python
    as before.
    ``tests/test_schedule_sql.py`` checks the two write the same."""
    base = sources._schedule_base(today, district_ids)
    compiler = base.query.get_compiler(connection=connection)
    compiler.as_sql()  # its columns (and their converters, for the rows read back below)
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    cursor.execute(f"DROP TABLE IF EXISTS {SCHEDULE_TABLE}")
    sql, params = schedule_table(connection, cursor, today, district_ids)
    cursor.execute(f"CREATE TEMPORARY TABLE {SCHEDULE_TABLE} AS {sql}", params)
    q = connection.ops.quote_name
    col = {name: f"s.{q(name)}" for name in NAMES}  # (``schedule_table`` names them so)
    cents = {name: in_cents(col[name]) for name in ("total", "f_prev_amount", "i_prev_amount")}
    measures = ", ".join(
        f"CASE WHEN {col[p + '_prev_amount']} IS NOT NULL "
        f"AND {col[p + '_next_amount']} IS NOT NULL THEN 1 ELSE 0 END AS {p}_between, "
        f"{cents[p + '_prev_amount']} AS {p}_planned, "
        f"COALESCE({in_cents(col[p + '_done'])}, 0) AS {p}_done"
        for p in "fi"
    )
    head, tail = sources._project_link()
    plain = (
        f"SELECT {col['pk']} AS pk, {col['district_id']} AS district_id, "
        f"{col['project_id']} AS project_id, {col['name']} AS name, "
        f"{col['yellow']} AS yellow, "
        f"{col['red']} AS red, {cents['total']} AS total, {measures} "
        f"FROM {SCHEDULE_TABLE} s WHERE {col['f_prev_amount']} IS NOT NULL "
        f"OR {col['i_prev_amount']} IS NOT NULL"
    )
    # each step kept (materialized), so a column is computed once, not once a use
    gaps = (
        "SELECT c.*, "
        + ", ".join(
            f"{tenths(f'c.{p}_planned', f'c.{p}_done', 'c.total')} AS {p}_gap" for p in "fi"
        )
        + " FROM zs_plain c"
    )
    # In SQL: no measure between two points, some measure
    # with a point to date, each such measure's gap positive and below 10⁸ points — or not
    # positive, then not lit (the district's yellow from 1 point or more, as its rule says).
    in_sql = "g.yellow > 0 AND g.f_between = 0 AND g.i_between = 0 " + "".join(
        f"AND (g.{p}_planned IS NULL OR g.{p}_gap IS NOT NULL OR g.{p}_planned <= g.{p}_done) "
        for p in "fi"
    )
    worst = (
        "CASE WHEN g.f_gap IS NULL THEN g.i_gap WHEN g.i_gap IS NULL THEN g.f_gap "
        "WHEN g.f_gap >= g.i_gap THEN g.f_gap ELSE g.i_gap END"
    )
    light = "CASE WHEN w.gap > w.red * 10 THEN %s WHEN w.gap >= w.yellow * 10 THEN %s END"
    ten = "CAST(10 AS NUMERIC)" if connection.vendor == "postgresql" else "10.0"
    # The gaps kept once in a table of their own: the lit rows and the others both read them.
    cursor.execute(f"DROP TABLE IF EXISTS {GAPS_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {GAPS_TABLE} AS WITH zs_plain AS MATERIALIZED ({plain}) {gaps}",
        [],
    )
    cursor.execute(
        f"WITH zs_worst AS MATERIALIZED (SELECT g.*, {worst} AS gap FROM {GAPS_TABLE} g "
        f"WHERE {in_sql}), "
        f"zs_rows AS (SELECT w.*, {light} AS light FROM zs_worst w WHERE w.gap IS NOT NULL) "
        f"INSERT INTO {table} ({', '.join(sources.COLUMNS)}) "
        f"SELECT r.project_id, r.district_id, r.project_id, NULL, r.name, "
        f"%s || CAST(r.project_id AS {'varchar' if connection.vendor == 'postgresql' else 'text'}) || %s, "
        f"NULL, CAST(r.gap AS NUMERIC) / {ten}, r.light FROM zs_rows r "
        "WHERE r.light IS NOT NULL",
        [Light.RED, Light.YELLOW, head, tail],
    )
    # The others, converted as the ORM converts the base query's rows.
    converters = compiler.get_converters(fields)
    cursor.execute(
        f"SELECT * FROM {SCHEDULE_TABLE} s WHERE {col['pk']} IN (SELECT g.pk FROM {GAPS_TABLE} g "
        f"WHERE NOT ({in_sql}))"
    )
    rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    lit = list(sources._lit_schedules(today, rows))
    cursor.execute(f"DROP TABLE IF EXISTS {SCHEDULE_TABLE}")
    cursor.execute(f"DROP TABLE IF EXISTS {GAPS_TABLE}")
    return lit
