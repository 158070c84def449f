"""The migrations themselves: the test databases are made from the models
(``zhaoshang/testing/database.py``), so these are the tests that run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from zhaoshang.testing.database import fingerprint

ROOT = Path(__file__).resolve().parents[3]


def test_the_models_and_the_migrations_agree(db):
    """``makemigrations --check``: no model change without its migration."""
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations --check exited with {exit_.code}: a migration is missing")


def _database_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _migrated(database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from zhaoshang.testing.database import migrate_and_print_fingerprint as m; m()",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


@pytest.fixture
def migrated(tmp_path):
    """What every migration, run from zero on an empty database of the same kind as the
    tests' (a new SQLite file, or a new PostgreSQL database), leaves in it."""
    if connection.vendor != "postgresql":
        yield _migrated(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
        return
    name = f"zs_migrate_{uuid.uuid4().hex[:12]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _migrated(_database_url(name))
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrations_make_the_database_the_tests_use(db, migrated):
    """Every migration runs on an empty database, and what they seed (role groups,
    industry classes, material types, the calendar, the cache table …) is in the tests'
    database, which is made from the models and seeded without running them."""
    tables = set(connection.introspection.table_names())
    assert set(migrated["tables"]) == tables, set(migrated["tables"]) ^ tables
    ours = fingerprint()
    missing = {}
    for label, rows in migrated["rows"].items():
        absent = Counter(rows) - ours.get(label, Counter())
        if absent:
            missing[label] = sorted(absent)[:5]
    assert not missing, f"seeded by the migrations, missing from the tests' database: {missing}"
