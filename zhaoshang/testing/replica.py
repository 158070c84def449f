"""A read replica for tests (``core.replica``): the ``replica`` alias as a test mirror of
``default``, installed for one test.

A mirror opened as a second connection would not see the test's rows (each test runs in a
transaction of ``default`` that is never committed), so the alias's connection wraps the
very session of ``default``: the rows are the same, and what each alias ran is still told
apart (``CaptureQueriesContext(connections["replica"])``). It is the routing that is under
test, not replication."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import override_settings

from zhaoshang.core.replica import REPLICA


@contextmanager
def replica_mirror() -> Iterator[object]:
    """The ``replica`` alias and its router, for the ``with`` block; yields its connection."""
    default = connections[DEFAULT_DB_ALIAS]
    default.ensure_connection()
    connections.settings[REPLICA] = {
        **default.settings_dict,
        "TEST": {**default.settings_dict["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    }
    replica = connections[REPLICA]
    replica.connection = default.connection
    try:
        with override_settings(DATABASE_ROUTERS=["zhaoshang.core.replica.ReplicaRouter"]):
            yield replica
    finally:
        replica.connection = None  # not closed: it is default's
        del connections[REPLICA]
        del connections.settings[REPLICA]
