"""The test database without running the migrations.

Running every migration costs each test process about a minute; creating the tables from
the models (``TEST["MIGRATE"] = False``) takes a second or two. What the migrations seed
is then written by the migrations' own data functions (every ``RunPython`` and ``RunSQL``
of the project's apps, in the order ``migrate`` runs them, with the models as the last
migration leaves them), and the migrations are recorded as applied, so that every test
sees the database ``migrate`` would have made. ``zhaoshang/testing/tests/test_migrations.py``
runs the real migrations on an empty database and compares what they seed with this.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter

from zhaoshang.core.migrating import data_operations, seed_as_migrations_do

__all__ = ["data_operations", "seed_as_migrations_do", "skip_migrations"]


def skip_migrations(databases: dict) -> None:
    """Create these test databases from the models (Django's ``TEST["MIGRATE"] = False``:
    migrations are off only while the tables are made, and on again afterwards)."""
    for settings_dict in databases.values():
        settings_dict.setdefault("TEST", {})["MIGRATE"] = False


RANDOM = {"core.DataStamp"}


def fingerprint(connection=None) -> dict[str, Counter]:
    """The rows of every table, as comparable text: the primary keys and the times of
    writing left out, a content type named by its app and model; the data's stamp left out
    (a random value by design: core.datastamp)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections, models

    alias = connection.alias if connection is not None else "default"
    tables = set(connections[alias].introspection.table_names())
    content_types = {
        ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.using(alias).all()
    }
    found = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not isinstance(f, models.DateTimeField)
        ]
        if not fields or model._meta.db_table not in tables or model._meta.label in RANDOM:
            continue
        rows = Counter()
        for values in model._base_manager.using(alias).values_list(*[f.attname for f in fields]):
            rows[
                repr(
                    tuple(
                        content_types.get(v, v)
                        if getattr(f, "related_model", None) is ContentType
                        else v
                        for f, v in zip(fields, values, strict=True)
                    )
                )
            ] += 1
        if rows:
            found[model._meta.label] = rows
    return found


@contextlib.contextmanager
def _introspected_once(introspection):
    """Each table described, and each statement parsed, once while inside.

    Django's SQLite introspection describes a table twice (for the caller, then again in
    ``get_constraints``), and parses its ``CREATE TABLE`` with sqlparse three times (its
    columns' collations in each description, then its inline constraints): most of
    ``schema``'s CPU (~6 s for each of the migrations' module's two databases). The
    descriptions and the parsed statements are only read (names, ``flatten()``, indexing,
    ``str()``), never changed, and the schema does not change while it is read."""
    import sqlparse

    parse, describe = sqlparse.parse, introspection.get_table_description
    parsed: dict[tuple, tuple] = {}
    described: dict[str, list] = {}

    def parse_once(sql, encoding=None):
        if (sql, encoding) not in parsed:
            parsed[sql, encoding] = parse(sql, encoding)
        return parsed[sql, encoding]

    def describe_once(cursor, table_name):
        if table_name not in described:
            described[table_name] = describe(cursor, table_name)
        return described[table_name]

    sqlparse.parse, introspection.get_table_description = parse_once, describe_once
    try:
        yield
    finally:
        sqlparse.parse = parse
        del introspection.get_table_description  # the method again


def schema(connection) -> dict[str, dict]:
    """Every table's columns (name, type, null) and constraints (primary key, unique,
    foreign key, check, index: by name, with their columns), as comparable JSON."""
    found = {}
    introspection = connection.introspection
    with _introspected_once(introspection), connection.cursor() as cursor:
        for table in sorted(introspection.table_names(cursor)):
            columns = [
                [column.name, str(column.type_code), bool(column.null_ok)]
                for column in introspection.get_table_description(cursor, table)
            ]
            constraints = {}
            for name, details in introspection.get_constraints(cursor, table).items():
                kept = {
                    key: (list(value) if isinstance(value, tuple) else value)
                    for key, value in sorted(details.items())
                    if key in ("columns", "primary_key", "unique", "foreign_key", "check", "index")
                }
                if re.fullmatch(r"fk_\d+|__unnamed_constraint_\d+__", name):
                    # SQLite names a table's foreign keys and inline checks by their
                    # position in the table's definition: named here by what they are.
                    name = json.dumps(kept, sort_keys=True)
                constraints[name] = kept
            found[table] = {"columns": sorted(columns), "constraints": constraints}
        for table, trigger in _triggers(connection, cursor):
            found[table].setdefault("triggers", []).append(trigger)
    return found


def _triggers(connection, cursor) -> list[tuple[str, str]]:
    """(table, trigger) of every trigger the project made (SQLite drops a table's triggers
    with it: a migration remaking the table must make them again)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal ORDER BY 1, 2"
        )
    else:
        cursor.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1, 2"
        )
    return cursor.fetchall()


def index_tables(connection, cursor) -> set[str]:
    """The tables of SQLite's full-text indexes (the virtual tables and their shadow
    tables: ``projects.search``), which the database writes itself through triggers: a copy
    of the rows leaves them out, and the triggers put them back with the rows."""
    if connection.vendor != "sqlite":
        return set()
    cursor.execute("PRAGMA main.table_list")
    return {row[1] for row in cursor.fetchall() if row[2] in ("virtual", "shadow")}


def migrate_and_print_fingerprint(replay: bool = True) -> None:
    """Run by the migrate-from-zero test in a process of its own (Django set up) on an
    empty database (DATABASE_URL): run ``migrate`` — every migration one by one (``replay``)
    or the empty database's path (tables from the models, then the data migrations) — then
    print the schema and what they left in the tables."""
    import gc
    import json
    import sys

    from django.core.management import call_command
    from django.db import connection

    # The cyclic collector's passes were a quarter of the replay's CPU: the loaded project is
    # frozen out of them, and the models that each operation renders anew (tens of thousands
    # of classes in cycles) are collected in fewer, larger passes.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)
    call_command("migrate", interactive=False, verbosity=0, replay=replay)
    json.dump(
        {
            "tables": sorted(connection.introspection.table_names()),
            "schema": schema(connection),
            "rows": {label: dict(rows) for label, rows in fingerprint().items()},
        },
        sys.stdout,
    )


def _tables_with_generated_columns() -> dict[str, list[str]]:
    """{table: its stored columns} for the tables with a column the database computes
    (``GeneratedField``: a signal's rank, an action item's bucket), which an INSERT must not
    name."""
    from django.apps import apps
    from django.db import models

    found = {}
    for model in apps.get_models(include_auto_created=True):
        fields = model._meta.concrete_fields
        if any(isinstance(f, models.GeneratedField) for f in fields):
            found[model._meta.db_table] = [
                f.column for f in fields if not isinstance(f, models.GeneratedField)
            ]
    return found


#: Where ``TableSnapshot`` keeps its copies: a schema outside the search path (PostgreSQL),
#: an attached in-memory database (SQLite). Neither is seen by the introspection of the tests'
#: tables.
SNAPSHOT = "zs_snapshot"


class TableSnapshot:
    """Every table's rows copied inside the database, for tests whose writes are committed
    (``committed_db``): put back afterwards by statements run in the database
    (``DELETE`` and ``INSERT … SELECT``), without truncating every table and re-reading a
    serialized copy through the ORM (on PostgreSQL, a ``TRUNCATE`` of every table makes new
    files for each of them and took seconds per test). The copies are made once per
    connection: a committed test starts from the state the previous one was put back to."""

    def __init__(self, connection):
        self.connection = connection
        self.tables: list[str] | None = None

    def _exists(self, cursor) -> bool:
        if self.connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [SNAPSHOT])
            return cursor.fetchone() is not None
        cursor.execute("PRAGMA database_list")
        return any(row[1] == SNAPSHOT for row in cursor.fetchall())

    def take(self) -> None:
        """Copy every table unless the copies are there already."""
        connection = self.connection
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.tables is not None and self._exists(cursor):
                return
            indexes = index_tables(connection, cursor)
            self.tables = sorted(
                t for t in connection.introspection.table_names(cursor) if t not in indexes
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
                cursor.execute(f"CREATE SCHEMA {SNAPSHOT}")
            elif connection.vendor == "sqlite":
                if not self._exists(cursor):
                    cursor.execute(f"ATTACH DATABASE ':memory:' AS {SNAPSHOT}")
            else:
                raise NotImplementedError(connection.vendor)
            for table in self.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT}.{quote(table)}")
                cursor.execute(
                    f"CREATE TABLE {SNAPSHOT}.{quote(table)} AS SELECT * FROM {quote(table)}"
                )

    def restore(self) -> None:
        """Put every table's rows back as they were copied, then the sequences after them."""
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import transaction

        connection = self.connection
        quote = connection.ops.quote_name
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            indexes = index_tables(connection, cursor)
            for table in connection.introspection.table_names(cursor):
                if table not in self.tables and table not in indexes:
                    cursor.execute(f"DELETE FROM {quote(table)}")
            generated = _tables_with_generated_columns()
            for table in self.tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
                columns = (
                    ", ".join(quote(c) for c in generated[table]) if table in generated else "*"
                )
                cursor.execute(
                    f"INSERT INTO {quote(table)} SELECT {columns} FROM {SNAPSHOT}.{quote(table)}"
                    if columns == "*"
                    else f"INSERT INTO {quote(table)} ({columns}) "
                    f"SELECT {columns} FROM {SNAPSHOT}.{quote(table)}"
                )
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
            if connection.vendor == "sqlite":
                # Without its row, a table's next id is one more than its largest.
                cursor.execute("DELETE FROM sqlite_sequence")
