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
also expires on its own (``core.pagecache.TIMEOUT``).

**A stamp per district.** One value for the whole database would make every page of every
district a rebuild after any write anywhere: in a province, several a second. So the table
holds a row per scope:

- ``GLOBAL`` (id 1): the writes no one district is named for — the daily scan, a command, a
  task, anyone who sees several districts (the city, an enterprise, a superuser) — and
  every page's key reads it;
- ``ANY`` (id 2): every write, whichever district; the key of those who see several
  districts reads it;
- one row per district (id ``-district_id``, made when first needed): the writes made in a
  request of a person confined to that district (``attributed``, the middleware), whose
  scoped pages read only their district's rows; the key of such a person reads it.

A confined person's request can write only what their scope reaches, their district's rows
(``visible_to``), with two kinds of exception: rows kept in no district (the working-day
calendar, a person's groups) — still named for the person's district: only a district's pages
read them as that district's — and a saved or deleted row whose own ``district_id`` names
another district, which the model signals catch (``_crossed``) and count as ``GLOBAL``, as
``written_for`` does for a bulk insert that says whose rows it writes (the messages to people
of another district). A
``QuerySet.update()`` or raw statement on another district's rows made in such a request
would be missed (the statement does not name the district): the scoped services write
through their person's scope, and a page shown stale by such a write would be at most a
minute old (the page's key names the minute). ``core/tests/test_datastamp_scopes.py``."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import re
import secrets

from django.core.signals import setting_changed
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save

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

GLOBAL = 1  # the writes named for no one district (and every key reads it)
ANY = 2  # every write (the key of those who see several districts)

_count = itertools.count(1)
local = 0  # this process's writes (the moment they are made), whatever their scope
_local_of: dict[int, int] = {}  # the same, per scope
# The request whose writes are being made (``attributed``): its person names the district.
_writer = contextvars.ContextVar("zs_datastamp_writer", default=None)


def district_row(district_id: int) -> int:
    """The row of a district's stamp."""
    return -district_id


def confined_district(user) -> int | None:
    """The one district ``user`` works in — every page they see is of that district's data —
    or None: anonymous, the city, a superuser, an enterprise (whose projects may lie in
    several districts), a person with no district."""
    from zhaoshang.core import roles

    if not getattr(user, "is_authenticated", False) or not getattr(user, "district_id", None):
        return None
    if roles.sees_all_districts(user) or roles.is_enterprise(user):
        return None
    return user.district_id


def scopes_of(user) -> tuple[int, int]:
    """The rows a page of ``user``'s depends on: the global one, and their district's (or, for
    one who sees several districts, every write's)."""
    district = confined_district(user)
    return (GLOBAL, ANY if district is None else district_row(district))


@contextlib.contextmanager
def attributed(request):
    """The writes made meanwhile are named for the district of ``request``'s person, read at
    the first write (after the view signed them in: a log-in, the API's token)."""
    token = _writer.set(request)
    try:
        yield
    finally:
        _writer.reset(token)


class _Person:
    __slots__ = ("user",)

    def __init__(self, user):
        self.user = user


def as_person(user):
    """``attributed`` for a write made for ``user`` before the request knows them (the
    API token's last use, written while REST framework signs them in)."""
    return attributed(_Person(user))


def _scopes_written() -> tuple[int, ...]:
    request = _writer.get()
    district = None if request is None else confined_district(getattr(request, "user", None))
    return (GLOBAL, ANY) if district is None else (district_row(district), ANY)


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


def _note_write(connection, scopes: tuple[int, ...] | None = None) -> None:
    global local
    local = next(_count)
    scopes = scopes or _scopes_written()
    for scope in scopes:
        _local_of[scope] = local
    if connection.in_atomic_block:
        connection.zs_wrote.update(scopes)  # renewed once the transaction commits
    else:
        _renew(connection, scopes)


def _renew(connection, scopes=(GLOBAL, ANY)) -> None:
    """The shared rows of ``scopes`` take a new value (after a commit, in autocommit). A row
    not there yet was never read, so nothing was kept on it: the first ``read`` makes it."""
    value = secrets.randbits(62)
    table = connection.ops.quote_name(TABLE)
    scopes = sorted(set(scopes))  # (always the same order: no two commits wait on each other)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE id IN ({', '.join(['%s'] * len(scopes))})",
                [value, *scopes],
            )
    except DatabaseError:
        pass  # not migrated yet (the migrations themselves)


def _make_rows(connection, cursor, scopes) -> dict[int, int]:
    """The rows of ``scopes`` missing made, each with a new value; {scope: value} of all."""
    table = connection.ops.quote_name(TABLE)
    marks = ", ".join(["%s"] * len(scopes))
    cursor.execute(f"SELECT id, value FROM {table} WHERE id IN ({marks})", list(scopes))
    found = dict(cursor.fetchall())
    for scope in scopes:
        if scope in found:
            continue
        value = secrets.randbits(62)
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"INSERT INTO {table} (id, value) VALUES (%s, %s)", [scope, value])
            found[scope] = value
        except IntegrityError:  # another process made it first
            cursor.execute(f"SELECT value FROM {table} WHERE id = %s", [scope])
            found[scope] = cursor.fetchone()[0]
    return found


def written_for(district_ids) -> None:
    """Rows of these districts are written in this request (a service says so where it
    writes past the model signals, a bulk insert: the messages to other people): one of a
    district other than the request's own counts as a write for every page (``GLOBAL``)."""
    request = _writer.get()
    if request is None:
        return  # named for no district already
    own = confined_district(getattr(request, "user", None))
    if own is not None and any(d is not None and d != own for d in district_ids):
        _note_write(connections["default"], (GLOBAL, ANY))


def _crossed(sender, instance, **kwargs) -> None:
    """A row saved or deleted in a request attributed to one district, whose own district is
    another: the write counts for every page (``GLOBAL``)."""
    written_for([getattr(instance, "district_id", None)])


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
    connection.zs_wrote = set()  # the scopes written in the transaction
    run_hooks = connection.run_and_clear_commit_hooks

    def run_and_clear_commit_hooks():
        try:
            run_hooks()
        finally:
            if connection.zs_wrote:
                scopes, connection.zs_wrote = connection.zs_wrote, set()
                _renew(connection, scopes)

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
    post_save.connect(_crossed, dispatch_uid="core.datastamp.saved")
    post_delete.connect(_crossed, dispatch_uid="core.datastamp.deleted")
    setting_changed.connect(_on_setting_changed, dispatch_uid="core.datastamp")
    for connection in connections.all(initialized_only=True):
        watch(connection)


def read(alias: str = "default", scopes: tuple[int, ...] = (GLOBAL,)) -> tuple | None:
    """The stamp of ``scopes`` (``scopes_of``): their shared values, then this process's
    counts of them, read before the data it stands for; None when there is none to read (a
    database not migrated yet). A row missing (a district's first read, a table emptied)
    is made."""
    connection = connections[alias]
    watch(connection)
    table = connection.ops.quote_name(TABLE)
    try:
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(scopes))
            cursor.execute(f"SELECT id, value FROM {table} WHERE id IN ({marks})", list(scopes))
            found = dict(cursor.fetchall())
            if len(found) < len(set(scopes)):
                found = _make_rows(connection, cursor, scopes)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        return None
    return (*(found[s] for s in scopes), *(_local_of.get(s, 0) for s in scopes))


def moved() -> None:
    """This process's stamp moves (code or settings changed under a test: nothing a page was
    kept for may be served again)."""
    global local
    local = next(_count)
    for scope in (GLOBAL, ANY):
        _local_of[scope] = local


def _on_setting_changed(**kwargs) -> None:
    moved()


def changed(alias: str = "default") -> None:
    """Everything may have changed (a database restored or edited outside Django)."""
    moved()
    _renew(connections[alias])
