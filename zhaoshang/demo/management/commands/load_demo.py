"""``python manage.py load_demo``: load the demo city 锦川市 (SPEC §18)."""

from __future__ import annotations

import gc
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from zhaoshang.core.cycles import no_cycle_collection
from zhaoshang.demo import names
from zhaoshang.demo import snapshot as snapshots
from zhaoshang.demo.builder import (
    DemoBuilder,
    demo_counts,
    no_query_log,
    pages_in_memory,
)
from zhaoshang.demo.city import ACCOUNT_USERNAMES, DISTRICT_CODES
from zhaoshang.demo.deferred import bulk_appends, sql_converted_once
from zhaoshang.demo.reset import purge_districts
from zhaoshang.org.models import District, User

CODES = ", ".join(DISTRICT_CODES)


class Command(BaseCommand):
    help = (
        "Load the demo city: the demo district 东城区 (code 'demo') in full and a small second "
        "district 西城区 (code 'second'), and 南城区 (code 'south') onboarded from its own "
        "ledger (the example workbook, through import_ledger), with one account per role, all "
        "with the password "
        f"{names.PASSWORD}. Does nothing if the demo is already loaded; --reset reloads it."
    )

    def add_arguments(self, parser):
        reset = "Delete the demo districts (their records, people and files) and load them again."
        parser.add_argument("--reset", action="store_true", help=reset)
        snapshot = (
            "Into an empty SQLite database: restore the city from the snapshot kept in the "
            "user's cache by an earlier load of the same day, code and settings (seconds), or "
            "load it and keep its snapshot (see zhaoshang/demo/snapshot.py)."
        )
        parser.add_argument("--snapshot", action="store_true", help=snapshot)
        migrate = (
            "Migrate the database first, in the same process (make demo: Django and the "
            "project are started once for both, not twice)."
        )
        parser.add_argument("--migrate", action="store_true", help=migrate)

    def handle(
        self, *args, reset: bool = False, snapshot: bool = False, migrate: bool = False, **options
    ):
        if settings.PRODUCTION:
            raise CommandError(
                "load_demo refuses to run with production settings (ZHAOSHANG_PRODUCTION=1): the "
                "demo accounts share a published password and must never exist in production."
            )
        if migrate:
            self.stdout.write("Migrating the database...")
            verbosity = options.get("verbosity", 1)
            call_command(
                "migrate",
                interactive=False,
                verbosity=verbosity,
                skip_checks=False,  # (the system checks, as the migrate command runs them)
                stdout=self.stdout,
            )
        present = set(
            District.objects.filter(code__in=DISTRICT_CODES).values_list("code", flat=True)
        )
        if present and not reset:
            if present != set(DISTRICT_CODES):
                raise CommandError(
                    f"Only part of the demo city is present ({', '.join(sorted(present))}); "
                    "run load_demo --reset to load it afresh."
                )
            return self.stdout.write(
                f"The demo city is already loaded (districts: {CODES}); nothing changed. Use "
                "--reset to load it afresh."
            )
        started, self.builder = time.monotonic(), None
        self.verbosity = options.get("verbosity", 1)
        kept = None
        if snapshot and not present and snapshots.usable() and snapshots.blank():
            before, today = snapshots.table_counts(), timezone.localdate()
            kept = snapshots.Snapshot(snapshots.key(today))
            if kept.fits(before):
                summary = kept.restore()["summary"]
                seconds = time.monotonic() - started
                restored = f"Restored the demo city {names.CITY} (districts {CODES}) as of "
                self.stdout.write(self.style.SUCCESS(f"{restored}{today} in {seconds:.1f} s"))
                self.stdout.write(f"  (from the snapshot {kept.folder})\n{summary}")
                return
            files_before = snapshots.media_files()
        try:
            with (
                no_query_log(),
                sql_converted_once(),
                no_cycle_collection(),
                pages_in_memory(),
                transaction.atomic(),
                bulk_appends(),
            ):
                self._load(present)
        except BaseException:
            if self.builder is not None:
                self.builder.discard_files()
            raise
        builder, seconds = self.builder, time.monotonic() - started
        done = f"{'Reloaded' if present else 'Loaded'} the demo city {names.CITY} (districts "
        self.stdout.write(
            self.style.SUCCESS(f"{done}{CODES}) in {seconds:.1f} s, as of {builder.today}.")
        )
        counts = [f"  {label:<18} {count:>6}" for label, count in demo_counts().items()]
        summary = "\n".join([*counts, "", *builder.account_lines()])
        self.stdout.write(summary)
        if kept is not None:
            kept.take(before, files_before, {"summary": summary})

    def run_from_argv(self, argv):
        """As its own process (``manage.py load_demo``, as ``make demo`` runs it): the process
        ends with the command, and what the load left alive (hundreds of thousands of
        objects) is frozen out of the cyclic collector's last pass at the interpreter's exit
        (some 2 s before the server can start). Called in a process that goes on
        (``call_command``: the tests), nothing is frozen."""
        super().run_from_argv(argv)
        gc.freeze()

    def _progress(self, step: str) -> None:
        """A line per step of the load (it takes minutes): the console is not left silent."""
        if self.verbosity:
            self.stdout.write(f"  {step}...")
            self.stdout.flush()

    def _load(self, present) -> None:
        try:
            old_files = purge_districts(DISTRICT_CODES) if present else []
        except RuntimeError as exc:  # records elsewhere still point at the demo
            raise CommandError(str(exc)) from exc
        taken = User.objects.filter(username__in=ACCOUNT_USERNAMES).order_by("username")
        if taken := list(taken.values_list("username", flat=True)):
            raise CommandError(
                f"These user names, which the demo accounts need, are taken already: "
                f"{', '.join(taken)}. Load the demo into an empty database."
            )
        self.builder = DemoBuilder(today=timezone.localdate(), progress=self._progress)
        self.builder.build()
        stale = set(old_files) - set(self.builder.written_files)
        transaction.on_commit(lambda: [default_storage.delete(name) for name in stale])
