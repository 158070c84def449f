"""``migrate``: Django's command, which on an empty database creates the tables from the
models and seeds what the migrations seed instead of replaying every migration
(``zhaoshang/core/migrating.py`` says why and when); ``--replay`` replays them anyway."""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import no_translations
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from zhaoshang.core import migrating


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help
        + " On an empty database, the tables are created from the models and the migrations'"
        " data functions run once (seconds instead of a minute); --replay runs every migration."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--replay",
            action="store_true",
            help="Run every migration one by one even on an empty database.",
        )

    @no_translations  # as makemigrations compares the models (lazy verbose names)
    def handle(self, *args, **options):
        with migrating.registry_caches_kept():
            return self._handle(*args, **options)

    def _handle(self, *args, **options):
        connection = connections[options["database"]]
        why_not = migrating.why_not_from_models(connection, options)
        if why_not is not None:
            if options["verbosity"] >= 2 and why_not != "asked to replay":
                self.stdout.write(f"Replaying the migrations: {why_not}.")
            return super().handle(*args, **options)
        return self._from_models(connection, *args, **options)

    def _from_models(self, connection, *args, **options):
        started = time.monotonic()
        verbosity = options["verbosity"]
        if verbosity >= 1:
            self.stdout.write(
                self.style.MIGRATE_HEADING("An empty database: ")
                + "creating the tables from the models, then seeding what the migrations seed."
            )
        kept = settings.MIGRATION_MODULES
        settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
        try:
            super().handle(*args, **{**options, "run_syncdb": True, "verbosity": verbosity - 1})
        finally:
            settings.MIGRATION_MODULES = kept
        seeded = migrating.seed_as_migrations_do(connection)
        if verbosity >= 2:
            for name in seeded:
                self.stdout.write(f"  Seeded by {name}")
        if verbosity >= 1:
            applied = connection.introspection.table_names()
            self.stdout.write(
                self.style.SUCCESS(
                    f"  {len(applied)} tables, {len(seeded)} data migrations run, every "
                    f"migration recorded as applied ({time.monotonic() - started:.1f} s)."
                )
            )
