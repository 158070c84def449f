"""Reading from a read replica (issue 19, a province: docs/scaling.md).

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and install
``ReplicaRouter``. The router sends a read to the replica only inside ``reading()``, which
the heavy read-only views open around the work they read (the big screen, the KPI district
comparison and its export, report exports): nothing is sent there by default, so a page
never reads a row it has just written from a replica that has not caught up.

Inside ``reading()``:

- every **write** goes to ``default`` — also the save of an object that was read from the
  replica (Django would otherwise write it back where it came from), a ``get_or_create``'s
  insert, a stale KPI snapshot stored by the comparison;
- a read inside a **transaction** on ``default`` stays on ``default``: the transaction may
  have written what it reads (and a replica's rows are not the transaction's snapshot).

Without ``DATABASE_REPLICA_URL`` there is no alias and no router: ``reading()`` changes
nothing and every query goes to the primary, as before. (An alias pointing at the primary
instead would open a second connection per worker to the same server for nothing.)

The session and the user of a request are read before the view opens ``reading()``, from
``default``: a replica a second behind a log-in must not log the user out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading: ContextVar[bool] = ContextVar("zhaoshang_reading", default=False)


def configured() -> bool:
    """Whether a ``replica`` alias is configured (``DATABASE_REPLICA_URL``)."""
    return REPLICA in connections.settings


@contextmanager
def reading() -> Iterator[None]:
    """Let the reads inside go to the replica, when there is one (also a decorator)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _in_transaction() -> bool:
    """A transaction is open on ``default`` — not counting the blocks a test case wraps
    each test in (Django's own rule for ``durable`` blocks)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return any(not block._from_testcase for block in connection.atomic_blocks)


class ReplicaRouter:
    """``settings.DATABASE_ROUTERS`` when ``DATABASE_REPLICA_URL`` is set (see the module)."""

    def db_for_read(self, model, **hints):
        if _reading.get() and configured() and not _in_transaction():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
