"""Writes computed by the database (issue 19): ``INSERT … SELECT`` from a queryset, text
built in SQL from a translated template, and the few spellings SQLite and PostgreSQL do
not share.

The daily scan writes thousands of rows a day (breaches, ledger entries, events, signals);
reading them into Python only to write them back costs far more than the statement that
found them. Here the query that finds a set also writes it: the rows never leave the
database. Where a value cannot be said in SQL (a description built by a model property, a
figure computed in Python) the caller writes plain rows (``core.bulk.insert_rows``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import CharField, DateField, Func, IntegerField, Value
from django.db.models.functions import Cast, Concat


def connection_for(model, using=None):
    return connections[using or router.db_for_write(model)]


def compiled(queryset, connection) -> tuple[str, tuple]:
    """The SQL and parameters of ``queryset`` (a ``values()``/``values_list()`` query:
    its columns in the order named)."""
    return queryset.query.get_compiler(connection=connection).as_sql()


def plain_rows(queryset, chunk_size: int = 5000):
    """The rows of ``queryset`` (a ``values_list()``) as tuples, each value converted as
    Django converts it (the backend's and the fields' converters), column by column: each
    distinct raw value of a column converted once, the loops in C — for many rows whose
    columns repeat their values (amounts, dates, flags). For columns that convert to
    values nobody changes (numbers, dates, texts): a JSON column's lists and dicts would
    be one object shared by the rows holding the same text."""
    from django.db.models.sql.constants import MULTI

    compiler = queryset.query.get_compiler(queryset.db)
    results = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    connection = compiler.connection
    memos = {position: {} for position in converters}

    def convert(position, values):
        functions, expression = converters[position]
        memo = memos[position]
        keys = list(zip(map(type, values), values, strict=True))
        for key in set(keys).difference(memo):
            value = key[1]
            for function in functions:
                value = function(value, expression, connection)
            memo[key] = value
        return list(map(memo.__getitem__, keys))

    for chunk in results:
        if not converters:
            yield from map(tuple, chunk)
            continue
        columns = list(zip(*chunk, strict=True))
        for position in converters:
            columns[position] = convert(position, columns[position])
        yield from zip(*columns, strict=True)


def insert_select(model, fields: Sequence[str], queryset, using=None) -> int:
    """``INSERT INTO`` the model's table (the columns of ``fields``, foreign keys by name
    or attname) the rows of ``queryset`` — a ``values_list()`` of as many columns, in the
    same order. Nothing is read into Python; defaults are not applied (name every column
    without a database default). Returns the number of rows written."""
    connection = connection_for(model, using)
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    sql, params = compiled(queryset, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def text(template: str, **parts):
    """SQL for ``template % parts`` (a translated message with ``%(name)s`` placeholders):
    the template's own words as values, each part an expression (a field name, ``F()``, a
    function), cast to text. A date part reads as its ISO date, as ``date.isoformat()``."""
    pieces = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        if match.group(0) == "%%":
            literal += "%"
        if literal:
            pieces.append(Value(literal, output_field=CharField()))
        if match.group(1):
            part = parts[match.group(1)]
            if isinstance(part, str):
                from django.db.models import F

                part = F(part)
            pieces.append(Cast(part, output_field=CharField()))
        position = match.end()
    if template[position:]:
        pieces.append(Value(template[position:], output_field=CharField()))
    if not pieces:
        return Value("", output_field=CharField())
    if len(pieces) == 1:
        return pieces[0]
    return Concat(*pieces, output_field=CharField())


def differs(connection, a: str, b: str) -> str:
    """SQL: ``a`` and ``b`` differ, a NULL differing from a value and equal to a NULL."""
    if connection.vendor == "postgresql":
        return f"{a} IS DISTINCT FROM {b}"
    return f"{a} IS NOT {b}"


def day_after(connection, date_sql: str) -> str:
    """SQL: the calendar day after the date ``date_sql``."""
    if connection.vendor == "postgresql":
        return f"({date_sql} + 1)"
    return f"date({date_sql}, '+1 day')"


def kept_whole(connection) -> str:
    """SQL ending a subquery so that the planner runs it as written rather than flattening it
    into the statement around it (PostgreSQL's ``OFFSET 0``; SQLite takes an OFFSET only
    after a LIMIT): its order kept, an expression it computes computed once per row."""
    return "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else "OFFSET 0"


def date_param(connection, day):
    return connection.ops.adapt_datefield_value(day)


def insert_history(model, queryset, history_date, using=None) -> int:
    """The history rows (django-simple-history's ``+``, as ``bulk_create_with_history``
    writes them: no user, no reason, dated ``history_date``) of the rows of ``queryset``
    just inserted, copied by one ``INSERT … SELECT``."""
    history = model.history.model
    connection = connection_for(model, using)
    quote = connection.ops.quote_name
    tracked = [f.attname for f in history.tracked_fields]
    rows = queryset.order_by("pk").annotate(
        zs_history_date=Value(history_date, output_field=history._meta.get_field("history_date")),
        zs_history_type=Value("+", output_field=CharField()),
    )
    sql, params = compiled(
        rows.values_list(*tracked, "zs_history_date", "zs_history_type"), connection
    )
    columns = [history._meta.get_field(name).column for name in tracked]
    columns += ["history_date", "history_type"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} "
            f"({', '.join(quote(c) for c in columns)}) {sql}",
            params,
        )
        return cursor.rowcount


class YearOf(Func):
    """SQL: the year of a date (``ExtractYear``, without SQLite's call back into Python
    for each row: the ISO date's first four characters)."""

    function = "EXTRACT"
    template = "EXTRACT(YEAR FROM %(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(substr(%(expressions)s, 1, 4) AS integer)", **extra
        )


class AddMonths(Func):
    """SQL: a date plus a whole number of calendar months (negative: back), a day the
    target month does not have clamped to its last day — 31 August + 3 → 30 November,
    29 February + 12 → 28 February (as ``exits.services.rules.add_months``). NULL stays
    NULL. PostgreSQL's interval arithmetic clamps so; SQLite's ``date(d, '+n months')``
    overflows into the next month instead, so there a day of the 29th or later is the
    target month's first day plus the day less one, at most the month's last day — and a
    day up to the 28th, which every month has, ``date(d, '+n months')`` alone (one date
    function rather than three: 0.06 → 0.02 s of CPU over the daily scan's 100,000
    projects)."""

    arity = 1
    output_field = DateField()

    def __init__(self, expression, months: int, **extra):
        self.months = int(months)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) + %s * INTERVAL '1 month' AS date)", [*params, self.months]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"{self.months:+d} months"
        day = f"(CAST(strftime('%%d', {sql}) AS integer) - 1)"
        clamped = (
            f"MIN(date({sql}, 'start of month', %s, '+' || {day} || ' days'), "
            f"date({sql}, 'start of month', %s, '+1 month', '-1 day'))"
        )
        # (an ISO date's day is its characters 9–10; NULL takes the ELSE: NULL)
        return (
            f"CASE WHEN substr({sql}, 9, 2) <= '28' THEN date({sql}, %s) ELSE {clamped} END",
            [*params, *params, shift, *params, shift, *params, *params, shift],
        )


class Unindexed(Func):
    """SQL: a column's value, compared without its index — for a condition that keeps a
    large share of the table (everything due before a day, past dates included): SQLite,
    whose plans see no value distribution, would otherwise walk the index and fetch each
    row out of order (``+column``: the same value and comparison, its index not used).
    PostgreSQL plans by its statistics: the column as it is."""

    template = "%(expressions)s"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)


# A write this large leaves PostgreSQL planning the next statements over the table with
# statistics that do not know the rows (a table filled by the day's first scan read as
# empty: nested loops over hundreds of thousands of rows).
ANALYZE_AFTER_ROWS = 1000


def analyze_after(model, written: int, using=None) -> None:
    """On PostgreSQL, after ``written`` rows went into the model's table in one go (at
    least ``ANALYZE_AFTER_ROWS``), refresh the table's statistics before the statements
    that read it back (autovacuum would, later). SQLite plans without them."""
    connection = connection_for(model, using)
    if connection.vendor != "postgresql" or written < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
