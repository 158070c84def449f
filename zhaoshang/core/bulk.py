"""Set-based writes the ORM does not offer.

Django's ``bulk_update`` writes ``SET f = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``
for every field: each row of a batch walks the whole CASE, so a batch of n rows costs n²
comparisons per field. :func:`update_from_rows` joins instead: the new values go in as a
``VALUES`` list and one ``UPDATE … FROM`` matches them on the primary key (PostgreSQL, and
SQLite from 3.33), so the cost grows with the rows, not their square.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations


def update_from_rows(model, fields: Sequence[str], rows: Iterable[Sequence], using=None) -> int:
    """Write ``rows`` — each ``(pk, value of fields[0], value of fields[1], …)`` — into the
    model's table; returns the number of rows written.

    Values are prepared by each field (dates, decimals, foreign keys by their ``attname``),
    so the same rows a ``bulk_update`` would take can be given. Signals are not sent and
    ``auto_now`` fields are not touched, as with ``QuerySet.update``.
    """
    rows = list(rows)
    if not rows:
        return 0
    using = using or router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    width = len(columns) + 1
    limit = connection.features.max_query_params or 65535
    batch = max(1, min(5000, limit // width))

    def cast(field) -> str:
        # PostgreSQL types a VALUES list from its rows and cannot type a NULL or a bare
        # string; SQLite stores by the column's affinity (and a CAST to "date" would turn
        # '2026-11-26' into 2026), so it gets the bare placeholder.
        if connection.vendor != "postgresql":
            return "%s"
        if field.is_relation:
            return f"CAST(%s AS {field.target_field.rel_db_type(connection)})"
        return f"CAST(%s AS {field.db_type(connection)})"

    placeholders = "(" + ", ".join(cast(f) for f in [pk, *columns]) + ")"
    # A VALUES list names its columns column1, column2, … on both databases; the select
    # renames them, so the statement starts with UPDATE (sqlite3 reports rowcount only then).
    names = ", ".join(
        f"column{i + 1} AS {quote(name)}"
        for i, name in enumerate(["zs_pk", *(f"zs_{i}" for i in range(len(columns)))])
    )
    assignments = ", ".join(
        f"{quote(f.column)} = zs_values.{quote(f'zs_{i}')}" for i, f in enumerate(columns)
    )
    table = quote(meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = []
            for row in chunk:
                if len(row) != width:
                    raise ValueError(f"each row needs the key and {len(columns)} values")
                params.append(pk.get_db_prep_value(row[0], connection))
                params.extend(
                    f.get_db_prep_save(value, connection)
                    for f, value in zip(columns, row[1:], strict=True)
                )
            sql = (
                f"UPDATE {table} SET {assignments} FROM (SELECT {names} FROM "
                f"(VALUES {', '.join([placeholders] * len(chunk))}) AS zs_rows) AS zs_values "
                f"WHERE {table}.{quote(pk.column)} = zs_values.{quote('zs_pk')}"
            )
            cursor.execute(sql, params)
            written += cursor.rowcount
    return written


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence], using=None) -> int:
    """Insert ``rows`` — each the values of ``fields`` (foreign keys by their ``attname``
    or field name, taking ids) — with one prepared INSERT executed for all of them: no
    model instances, none of ``bulk_create``'s per-row SQL building. Defaults are not
    applied and no primary keys come back: name every column that has no database default
    and is not null. Returns the number of rows given. The rows are prepared and written
    5,000 at a time (a generator of rows is never held whole)."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    preparers = [preparer(f, connection) for f in columns]
    return execute_rows(connection, sql, preparers, rows)


def execute_rows(connection, sql: str, preparers, rows: Iterable[Sequence]) -> int:
    """Run the one-row ``INSERT INTO t (a, b, …) VALUES (%s, …)`` ``sql`` for every row,
    each value prepared by its column's ``preparers`` entry, 5,000 rows at a time: SQLite
    runs it once per row in the process (``executemany``); PostgreSQL copies the rows in
    (``COPY t (a, b, …) FROM STDIN``: a statement per row would cost a round trip each).
    Returns the number of rows."""
    written = 0
    rows = iter(rows)
    target = sql.removeprefix("INSERT INTO ").rpartition(" VALUES ")[0]
    width = len(preparers)
    with connection.cursor() as cursor:
        while given := list(itertools.islice(rows, 5000)):
            if set(map(len, given)) != {width}:
                raise ValueError(f"each row needs {width} values")
            # column by column: each column's values prepared together (``prep.column``)
            columns = zip(*given, strict=True)
            prepared = [
                prep.column(values) for prep, values in zip(preparers, columns, strict=True)
            ]
            chunk = list(zip(*prepared, strict=True))
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


# Django's own fields whose ``get_db_prep_save`` gives back a value of these types as it is
# (``int(value)``, ``str(value)``, ``None``): the value needs no preparing. Exact classes
# only — a subclass may prepare differently.
_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)
_TEXTS = (models.CharField, models.TextField)


def _as_is(field, connection) -> tuple[type, ...]:
    """The types of values ``field`` stores as given (none known: every value prepared).
    An integer only where the database adapts none (PostgreSQL's driver wraps each in
    its sized type)."""
    if type(field) is models.ForeignKey:
        return _as_is(field.target_field, connection)
    if type(field) in _INTEGERS:
        adapt = type(connection.ops).adapt_integerfield_value
        plain = adapt is BaseDatabaseOperations.adapt_integerfield_value
        return (int, type(None)) if plain else ()
    if type(field) in _TEXTS:
        return (str, type(None))
    return ()


def preparer(field, connection):
    """``field.get_db_prep_save`` for one column of many rows: a value seen before (a
    date, an id, a flag repeated down the column, the same JSON) is prepared once; a
    plain id or text of a Django integer or text field goes in as it is."""
    prepared: dict = {}
    as_is = _as_is(field, connection)

    def prep(value):
        if type(value) in as_is:
            return value
        try:
            key = (type(value), value)
            if key in prepared:
                return prepared[key]
        except TypeError:  # a list or a dict (JSON): known by its text
            key = (type(value), repr(value))
            if key in prepared:
                return prepared[key]
        prepared[key] = result = field.get_db_prep_save(value, connection)
        return result

    def column(values: Sequence) -> Sequence:
        """``prep`` of each of ``values`` (a column of many rows), with the loops in C:
        a column of values stored as given is itself; else each distinct value (by type
        and value; a column of few distinct objects, by object) is prepared once and the
        column mapped through them. A column holding a list or a dict (JSON) is known by
        each value's text."""
        types = set(map(type, values))
        if types <= as_is_types:
            return values
        # A value repeated down a column is mostly one object (a default given to every
        # row, a date converted once for the rows holding it): each object is prepared
        # once, known by its id — no hashing of an enum member or a decimal per row.
        ids = list(map(id, values))
        objects = dict(zip(ids, values, strict=True))
        if len(objects) * 4 <= len(ids):
            done = {key: prep(value) for key, value in objects.items()}
            return list(map(done.__getitem__, ids))
        keys = list(zip(map(type, values), values, strict=True))
        try:
            missing = set(keys).difference(prepared)
        except TypeError:  # unhashable: a list or a dict (JSON), known by its text
            keys = list(zip(map(type, values), map(repr, values), strict=True))
            for key, value in dict(zip(keys, values, strict=True)).items():
                if key not in prepared:
                    prepared[key] = field.get_db_prep_save(value, connection)
            return list(map(prepared.__getitem__, keys))
        for key in missing:
            kind, value = key
            prepared[key] = value if kind in as_is else field.get_db_prep_save(value, connection)
        return list(map(prepared.__getitem__, keys))

    as_is_types = set(as_is)
    prep.column = column

    return prep
