"""One step of a batch that writes rows by the hundred thousand (a step of the daily scan).

Each step runs with the cyclic garbage collector paused (``core.cycles``) and, on SQLite,
as one transaction whose rows SQLite writes without probing each foreign key.

SQLite checks a row's foreign keys as it writes the row: one lookup of the parent's key for
each key of each row. The daily scan's first run over 100,000 projects writes about a
million rows (293,000 signals with four keys each, 150,000 breaches with five, their events,
the exit warnings, the ledger entries, the lights' history), and those lookups were about a
tenth of its CPU time (``docs/operations.md``, the daily scan).

Every key such a step writes is one it has just read from the row it refers to, in the same
transaction:

- SQLite has one writer at a time, and the platform opens its transactions with
  ``BEGIN IMMEDIATE`` (``transaction_mode`` in the settings), so the step holds the write
  lock from its first statement;
- so no row the step read can go before the step commits.

The step therefore turns SQLite's probes off for its own connection
(``PRAGMA foreign_keys``, which SQLite changes only outside a transaction), runs as one
transaction, and turns them back on, however it ends. A failed step leaves nothing
half-written: its transaction is rolled back whole.

What this leaves alone:

- a step called inside a transaction already open (a test's, a caller's): it runs as
  before, its keys checked;
- PostgreSQL, whose foreign keys are always checked; CI runs the whole suite there;
- every other connection (the web's requests): each checks its own keys.

Django's test runner checks every deferred key at the end of each test
(``check_constraints``), so every scan test on SQLite still checks what the scan wrote.
"""

from __future__ import annotations

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from zhaoshang.core.cycles import no_cycle_collection


@contextlib.contextmanager
def scan_step(using: str = DEFAULT_DB_ALIAS):
    """Run the block as one step of a batch on the database ``using``: the cyclic collector
    paused; on SQLite, outside any transaction, one transaction with the foreign-key
    probes off for its rows (see the module's docstring)."""
    connection = connections[using]
    with no_cycle_collection():
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            yield
            return
        with connection.constraint_checks_disabled(), transaction.atomic(using=using):
            yield
