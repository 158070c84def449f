"""``core.scanstep.scan_step``: a batch's step on SQLite as one transaction whose rows are
written without SQLite's probe of each foreign key, the probes back on after it however it
ends; a step inside an open transaction left as it was (its keys checked); and the daily
scan running every step through it.

The database of the first tests is a scratch SQLite file of their own (the test database is
inside each test's transaction, where SQLite does not change ``PRAGMA foreign_keys``)."""

from __future__ import annotations

import gc

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction

from zhaoshang.core.scanstep import scan_step

ALIAS = "scanstep_scratch"


@pytest.fixture
def scratch(tmp_path, django_db_blocker):
    """A SQLite database of its own, opened as the platform opens one, with a parent and a
    child table whose key is checked at commit (as Django declares its keys)."""
    configured = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: {"ENGINE": "django.db.backends.dummy"},
            ALIAS: {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(tmp_path / "scratch.sqlite3"),
                "OPTIONS": {"transaction_mode": "IMMEDIATE"},
            },
        }
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        connection = connections[ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE parent (id integer PRIMARY KEY)")
            cursor.execute(
                "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL "
                "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
            )
            cursor.execute("INSERT INTO parent (id) VALUES (1)")
        yield connection
        connection.close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def _probes_on(connection) -> bool:
    with connection.cursor() as cursor:
        return bool(cursor.execute("PRAGMA foreign_keys").fetchone()[0])


def _children(connection) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        return cursor.execute("SELECT id, parent_id FROM child ORDER BY id").fetchall()


def test_a_step_is_one_transaction_without_key_probes_and_they_come_back(scratch):
    assert _probes_on(scratch) and not scratch.in_atomic_block
    with scan_step(ALIAS):
        assert scratch.in_atomic_block
        assert not _probes_on(scratch)
        with scratch.cursor() as cursor:
            cursor.execute("INSERT INTO child (id, parent_id) VALUES (1, 1)")
            # not probed: SQLite takes the row as written (the step's keys are read in its
            # own transaction; this one is wrong on purpose, to show no probe ran)
            cursor.execute("INSERT INTO child (id, parent_id) VALUES (2, 99)")
    assert _probes_on(scratch) and not scratch.in_atomic_block
    assert _children(scratch) == [(1, 1), (2, 99)]
    # after the step every write is probed again: a missing parent fails at commit
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(using=ALIAS),
        scratch.cursor() as cursor,
    ):
        cursor.execute("INSERT INTO child (id, parent_id) VALUES (3, 98)")
    assert _children(scratch) == [(1, 1), (2, 99)]


def test_a_failed_step_leaves_nothing_and_the_probes_on(scratch):
    with pytest.raises(RuntimeError), scan_step(ALIAS):
        with scratch.cursor() as cursor:
            cursor.execute("INSERT INTO child (id, parent_id) VALUES (1, 1)")
        raise RuntimeError("the step failed half-way")
    assert _children(scratch) == []
    assert _probes_on(scratch) and not scratch.in_atomic_block


def test_a_step_inside_an_open_transaction_keeps_its_keys_checked(scratch):
    with pytest.raises(IntegrityError), transaction.atomic(using=ALIAS), scan_step(ALIAS):
        assert _probes_on(scratch)
        with scratch.cursor() as cursor:
            cursor.execute("INSERT INTO child (id, parent_id) VALUES (1, 99)")
    assert _children(scratch) == []
    assert _probes_on(scratch)


def test_a_step_pauses_the_cyclic_collector(scratch):
    assert gc.isenabled()
    with scan_step(ALIAS):
        assert not gc.isenabled()
    assert gc.isenabled()
