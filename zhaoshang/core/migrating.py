"""An empty database made in seconds: the tables created from the models, what the
migrations seed written by their own data functions, every migration recorded as applied.

Replaying the migration history on an empty database costs most of a minute, and almost none
of it is SQL: before each of its ~500 operations Django re-renders, as model classes, every
model related to the one the operation touches — and every model here is related to the user
model, so each operation re-renders nearly all of them (about 40,000 model classes for one
``migrate``). An empty database needs none of that history, only where it ends: the models
as they are, which ``makemigrations --check`` holds equal to the migrations' last state.

This is the path Django itself takes for a test database (``TEST["MIGRATE"] = False``),
followed by the data functions of every ``RunPython`` and ``RunSQL`` of the project's apps, in
the order ``migrate`` runs them, with the models as the last migration leaves them.
``zhaoshang/testing/tests/test_migrations.py`` runs both paths on empty databases (SQLite
and PostgreSQL) and compares the schemas and the rows they leave.

One rule follows for data migrations: on this path their functions run against the models as
the *last* migration leaves them (as the tests' databases always did), so a data function must
not depend on a column that a later migration removes or renames; the comparison test fails
when one does.

The ``migrate`` command (``core/management/commands/migrate.py``) takes this path only for a
database with no table at all, when no app or migration is named, nothing is faked and the
models agree with the migrations; ``migrate --replay`` runs the history instead.
"""

from __future__ import annotations

import contextlib
import functools

PROJECT_PACKAGE = "zhaoshang."
# Django's Apps methods cached with functools.cache: one cache per method, shared by every
# registry (see ``registry_caches_kept``).
_SHARED_CACHES = ("get_models", "get_swappable_settings_name")


@contextlib.contextmanager
def registry_caches_kept():
    """The project's model registry keeps its caches while ``migrate`` renders the
    migrations' states.

    ``Apps.get_models`` and ``Apps.get_swappable_settings_name`` are cached with
    ``functools.cache``: one cache per method, shared by every registry, and a registry's
    ``clear_cache()`` empties it for all of them. Each model that a migration's state renders
    is registered in the state's own registry, which clears its caches, so the project's
    registry lost its own ~40,000 times in a replay, and the deconstruction of every
    relation (``swappable_setting``, asked of the project's registry for each relation of
    each rendered model) walked every model of the project again: a fifth of a replay's CPU.
    Inside, the project's registry has caches of its own (its own ``clear_cache()`` still
    empties them); the shared ones are emptied on the way out, as any registry's
    ``clear_cache()`` would have."""
    from django.apps import apps as registry
    from django.apps.registry import Apps

    for name in _SHARED_CACHES:
        method = getattr(Apps, name).__wrapped__.__get__(registry)
        setattr(registry, name, functools.cache(method))
    try:
        yield
    finally:
        for name in _SHARED_CACHES:
            registry.__dict__.pop(name, None)
            getattr(Apps, name).cache_clear()


def _project_migrations(loader):
    """The migrations in the order ``migrate`` applies them."""
    seen = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key in seen:
                continue
            seen.add(key)
            yield loader.graph.nodes[key]


def data_operations(loader) -> list[tuple[str, object]]:
    """(migration, operation) for every RunPython and RunSQL of the project's apps."""
    from django.db.migrations.operations.special import RunPython, RunSQL

    return [
        (f"{migration.app_label}.{migration.name}", operation)
        for migration in _project_migrations(loader)
        if type(migration).__module__.startswith(PROJECT_PACKAGE)
        for operation in migration.operations
        if isinstance(operation, RunPython | RunSQL)
    ]


def seed_as_migrations_do(connection) -> list[str]:
    """Write what the migrations seed into a database made from the models, and record
    every migration as applied. Returns the data migrations run."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    state = loader.project_state()
    run = []
    for name, operation in data_operations(loader):
        with connection.schema_editor(atomic=getattr(operation, "atomic", True)) as editor:
            operation.database_forwards(name.split(".")[0], editor, state, state)
        run.append(name)
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(
        [recorder.Migration(app=app, name=name) for app, name in loader.graph.nodes]
    )
    return run


def is_empty(connection) -> bool:
    """No table at all, or only the migration recorder's, with no row."""
    from django.db.migrations.recorder import MigrationRecorder

    tables = set(connection.introspection.table_names())
    recorder = MigrationRecorder.Migration._meta.db_table
    if tables - {recorder}:
        return False
    return not tables or not MigrationRecorder(connection).migration_qs.exists()


def models_agree_with_migrations(loader) -> bool:
    """What ``makemigrations --check`` asks: no model change without its migration."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.state import ProjectState

    changes = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps)).changes(
        graph=loader.graph
    )
    return not changes


def why_not_from_models(connection, options: dict) -> str | None:
    """Why this ``migrate`` must replay the history, or None when the empty database may be
    made from the models."""
    from django.db.migrations.loader import MigrationLoader

    if options.get("replay"):
        return "asked to replay"
    named = ("app_label", "migration_name", "fake", "plan", "check_unapplied", "prune")
    if any(options.get(name) for name in named):
        return "an app, a migration or a mode is named"
    if not is_empty(connection):
        return "the database has tables"
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    if not any(key[0] in _project_labels() for key in loader.graph.nodes):
        return "no migrations"  # migrations turned off (MIGRATION_MODULES), as for tests
    if loader.detect_conflicts():
        return "conflicting migrations"
    if not models_agree_with_migrations(loader):
        return "the models have changes without a migration"
    return None


def _project_labels() -> set[str]:
    from django.apps import apps

    return {c.label for c in apps.get_app_configs() if c.name.startswith(PROJECT_PACKAGE)}


def field_indexes_dropped(table: str, columns, texts=()):
    """A ``RunPython`` dropping the one-column indexes Django made for ``columns`` of
    ``table`` (a foreign key's, a ``db_index=True`` field's; on PostgreSQL also the ``_like``
    index of each of ``texts``, varchar columns), named as Django names them on the database
    at hand; backwards, it makes them again. For the ``database_operations`` of a
    ``SeparateDatabaseAndState`` whose state turns the fields' ``db_index`` off: an
    ``AlterField`` would rebuild the whole table on SQLite to drop an index, and nested there
    the function is not run on the empty database's path (``data_operations``), whose tables
    are made from the models without these indexes."""
    from django.db import migrations

    def statements(editor, make: bool):
        quote = editor.quote_name
        postgresql = editor.connection.vendor == "postgresql"
        for column in columns:
            made = [("", quote(column))]
            if postgresql and column in texts:
                made.append(("_like", f"{quote(column)} varchar_pattern_ops"))
            for suffix, expression in made:
                name = quote(editor._create_index_name(table, [column], suffix=suffix))
                if make:
                    yield f"CREATE INDEX {name} ON {quote(table)} ({expression})"
                else:
                    yield f"DROP INDEX {name}"

    def drop(apps, editor):
        for sql in statements(editor, make=False):
            editor.execute(sql)

    def make(apps, editor):
        for sql in statements(editor, make=True):
            editor.execute(sql)

    return migrations.RunPython(drop, make)
