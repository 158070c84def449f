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


def _migrated(database_url: str, replay: bool) -> dict:
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
            "from zhaoshang.testing.database import migrate_and_print_fingerprint as m; "
            f"m(replay={replay})",
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


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, django_db_setup, django_db_blocker):
    """What ``migrate`` leaves in an empty database of the same kind as the tests' (a new
    SQLite file, or a new PostgreSQL database), both ways: "replayed", every migration run
    one by one (``migrate --replay``, what an existing database went through); "fresh", the
    empty database's path (tables from the models, then the data migrations)."""
    found = {}
    for way in ("replayed", "fresh"):
        if connection.vendor != "postgresql":
            path = tmp_path_factory.mktemp("migrate") / f"{way}.sqlite3"
            found[way] = _migrated(f"sqlite:///{path}", replay=way == "replayed")
            continue
        name = f"zs_migrate_{uuid.uuid4().hex[:12]}"
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            found[way] = _migrated(_database_url(name), replay=way == "replayed")
        finally:
            with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return found


# Where the two paths may differ, and why it does not matter:
# - PostgreSQL keeps a column's check constraint under the name the column had when it was
#   made (land's production_years, renamed production_months): checks compare by content.
# - Django renders the auto-created table of auth's Group.permissions with the project's
#   DEFAULT_AUTO_FIELD from the migrations' state but with auth's own AutoField from the
#   app: its id is bigint replayed, integer fresh (as in Django's own test databases). Either
#   holds any number of group × permission rows.
SAME_EITHER_WAY = {("auth_group_permissions", "id")}


def _comparable(schema: dict) -> dict:
    found = {}
    for table, details in schema.items():
        columns = [
            [name, "(either)" if (table, name) in SAME_EITHER_WAY else kind, null]
            for name, kind, null in details["columns"]
        ]
        constraints = {
            (json.dumps(c, sort_keys=True) if c.get("check") else name): c
            for name, c in details["constraints"].items()
        }
        found[table] = {"columns": columns, "constraints": constraints}
    return found


def test_an_empty_database_is_made_as_the_migrations_make_it(migrated):
    """``migrate`` on an empty database creates the tables from the models and runs the data
    migrations: the same tables, columns, constraints and indexes (by name), and the same
    rows, as replaying every migration."""
    replayed, fresh = migrated["replayed"], migrated["fresh"]
    assert fresh["tables"] == replayed["tables"]
    replayed_schema, fresh_schema = _comparable(replayed["schema"]), _comparable(fresh["schema"])
    differ = {
        table: {"replayed": replayed_schema[table], "fresh": fresh_schema[table]}
        for table in replayed_schema
        if replayed_schema[table] != fresh_schema[table]
    }
    assert not differ, json.dumps(differ, ensure_ascii=False, indent=1)[:6000]
    assert fresh["rows"] == replayed["rows"]


def test_the_migrations_make_the_database_the_tests_use(db, migrated):
    """Every migration runs on an empty database, and what they seed (role groups,
    industry classes, material types, the calendar, the cache table …) is in the tests'
    database, which is made from the models and seeded without running them."""
    tables = set(connection.introspection.table_names())
    migrated = migrated["replayed"]
    assert set(migrated["tables"]) == tables, set(migrated["tables"]) ^ tables
    ours = fingerprint()
    missing = {}
    for label, rows in migrated["rows"].items():
        absent = Counter(rows) - ours.get(label, Counter())
        if absent:
            missing[label] = sorted(absent)[:5]
    assert not missing, f"seeded by the migrations, missing from the tests' database: {missing}"
