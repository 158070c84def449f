"""The data's stamp: a value that changes whenever anything a page shows may have changed
(issue 19, point 2; read by ``core.pagecache``).

Every statement that writes (INSERT, UPDATE, DELETE, REPLACE, TRUNCATE, or a schema change)
through any of the process's database connections is seen by an execute wrapper installed on
each connection. A write

- moves this process's own count at once (``local``), so the process itself never reads an
  old stamp after its own write, committed or not (a rolled-back write costs a page a
  rebuild, nothing more);
- and, once its transaction commits (at once in autocommit), gives the one row of
  ``core_datastamp`` a new random value, which every other process (the other workers, the
  daily scan, a management command) reads before it uses anything it kept.

The shared value is random rather than counted so that a database restored from a copy (the
demo's snapshot) can never bring back a value that stood for other data. The writes that
change nothing any page shows are not counted: the sessions, the database cache's table, the
stamp itself. A write made outside Django (``psql`` by hand, a file copied over the
database) is not seen: call ``changed()`` (``manage.py datastamp``) afterwards; what was kept
also expires on its own (``core.pagecache.TIMEOUT``)."""

from __future__ import annotations

import itertools
import re
import secrets

from django.core.signals import setting_changed
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.backends.signals import connection_created

TABLE = "core_datastamp"
NO_DB_ALIAS = "__no_db__"  # Django's connection for creating and dropping databases
# Tables whose writes change nothing a page shows: the stamp's, and (``install``) the
# sessions' and every database cache's (``settings.CACHES``).
IGNORED = frozenset({TABLE})
_WRITE = re.compile(
    r'\s*(?:(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)'
    r"|\s*(TRUNCATE|CREATE|DROP|ALTER)\b",
    re.IGNORECASE,
)

_WRITE_IN_WITH = re.compile(r"\)\s*(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

_count = itertools.count(1)
local = 0  # this process's writes (the moment they are made)


def _written_table(sql: str) -> str | None:
    """The table a statement writes ("" for a schema change or a TRUNCATE), None for a read."""
    if sql[:6].upper() in ("SELECT", "SAVEPO", "(SELEC", "RELEAS"):
        return None  # the common case first
    found = _WRITE.match(sql)
    if found is not None:
        return found.group(1) or ""
    if sql.lstrip()[:4].upper() == "WITH" and _WRITE_IN_WITH.search(sql):
        return ""  # WITH … AS (…) INSERT / UPDATE / DELETE
    return None


def _note_write(connection) -> None:
    global local
    local = next(_count)
    if connection.in_atomic_block:
        connection.zs_wrote = True  # the shared row is renewed once the transaction commits
    else:
        _renew(connection)


def _renew(connection) -> None:
    """The shared row takes a new value (after a commit, in autocommit)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(TABLE)} SET value = %s WHERE id = 1",
                [secrets.randbits(62)],
            )
    except DatabaseError:
        pass  # not migrated yet (the migrations themselves)


class _Watch:
    """The execute wrapper of one connection (the connection itself, not its alias: the
    database's own set-up opens connections no alias names)."""

    __slots__ = ("connection",)

    def __init__(self, connection):
        self.connection = connection

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        table = _written_table(sql) if isinstance(sql, str) else ""
        if table is not None and table not in IGNORED:
            _note_write(self.connection)
        return result


def watch(connection) -> None:
    """Install the wrapper on a connection (once), and renew the shared row after each of its
    commits that follows a write (Django runs a connection's commit hooks once it commits;
    a transaction rolled back leaves the flag for the next commit: one renewal too many).
    The connections to no database (creating the test database) are left alone."""
    if connection.alias == NO_DB_ALIAS or any(
        isinstance(w, _Watch) for w in connection.execute_wrappers
    ):
        return
    connection.zs_wrote = False
    run_hooks = connection.run_and_clear_commit_hooks

    def run_and_clear_commit_hooks():
        try:
            run_hooks()
        finally:
            if connection.zs_wrote:
                connection.zs_wrote = False
                _renew(connection)

    connection.run_and_clear_commit_hooks = run_and_clear_commit_hooks
    connection.execute_wrappers.append(_Watch(connection))


def _on_connection_created(sender, connection, **kwargs) -> None:
    watch(connection)


def install() -> None:
    """Watch every connection, those open now and those opened later (``CoreConfig.ready``)."""
    global IGNORED
    from django.conf import settings
    from django.contrib.sessions.models import Session

    IGNORED = frozenset(
        {
            TABLE,
            Session._meta.db_table,
            *(
                cache["LOCATION"]
                for cache in settings.CACHES.values()
                if cache["BACKEND"].endswith("DatabaseCache")
            ),
        }
    )
    connection_created.connect(_on_connection_created, dispatch_uid="core.datastamp")
    setting_changed.connect(_on_setting_changed, dispatch_uid="core.datastamp")
    for connection in connections.all(initialized_only=True):
        watch(connection)


def read(alias: str = "default") -> tuple | None:
    """The stamp: (the shared value, this process's count), read before the data it stands
    for; None when there is none to read (a database not migrated yet)."""
    connection = connections[alias]
    watch(connection)
    table = connection.ops.quote_name(TABLE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
            row = cursor.fetchone()
            if row is None:  # emptied (a test database flushed): a new value
                row = (secrets.randbits(62),)
                try:
                    with transaction.atomic(using=alias):
                        cursor.execute(f"INSERT INTO {table} (id, value) VALUES (1, %s)", row)
                except IntegrityError:  # another process made it first
                    cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
                    row = cursor.fetchone()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        return None
    return (row[0], local)


def moved() -> None:
    """This process's stamp moves (code or settings changed under a test: nothing a page was
    kept for may be served again)."""
    global local
    local = next(_count)


def _on_setting_changed(**kwargs) -> None:
    moved()


def changed(alias: str = "default") -> None:
    """Everything may have changed (a database restored or edited outside Django)."""
    global local
    local = next(_count)
    _renew(connections[alias])
