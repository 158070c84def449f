"""``python manage.py load_demo``: load the demo city 锦川市 (SPEC §18)."""

from __future__ import annotations

import contextlib
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from zhaoshang.demo import names
from zhaoshang.demo.builder import ACCOUNT_USERNAMES, DISTRICT_CODES, DemoBuilder, demo_counts
from zhaoshang.demo.reset import demo_users, purge_districts
from zhaoshang.org.models import District, User


@contextlib.contextmanager
def _no_query_log():
    """With DEBUG on, Django keeps the SQL of every query for the debug page; a load runs
    over a hundred thousand and needs none of them kept."""
    connection.make_debug_cursor = connection.make_cursor
    try:
        yield
    finally:
        del connection.make_debug_cursor


class Command(BaseCommand):
    help = (
        "Load the demo city: the demo district 东城区 (code 'demo') in full and a small second "
        "district 西城区 (code 'second'), with one account per role, all with the password "
        f"{names.PASSWORD}. Does nothing if the demo is already loaded; --reset reloads it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete both demo districts (their records, people and files) and load them again.",
        )

    def handle(self, *args, reset: bool = False, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "load_demo refuses to run with production settings (ZHAOSHANG_PRODUCTION=1): "
                "the demo accounts share a published password and must never exist in a "
                "production database."
            )
        present = set(
            District.objects.filter(code__in=DISTRICT_CODES).values_list("code", flat=True)
        )
        if present and not reset:
            if present == set(DISTRICT_CODES):
                self.stdout.write(
                    "The demo city is already loaded (districts: "
                    + ", ".join(DISTRICT_CODES)
                    + "); nothing changed. Use --reset to load it afresh."
                )
                return
            raise CommandError(
                f"Only part of the demo city is present ({', '.join(sorted(present))}); "
                "run load_demo --reset to load it afresh."
            )

        started = time.monotonic()
        builder = None
        old_files: list[str] = []
        try:
            with _no_query_log(), transaction.atomic():
                if present:
                    try:
                        old_files = purge_districts(DISTRICT_CODES)
                    except RuntimeError as exc:  # records elsewhere still point at the demo
                        raise CommandError(str(exc)) from exc
                clashes = sorted(
                    User.objects.filter(username__in=ACCOUNT_USERNAMES).values_list(
                        "username", flat=True
                    )
                )
                if clashes:
                    raise CommandError(
                        "These user names, which the demo accounts need, are taken already: "
                        + ", ".join(clashes)
                        + ". Load the demo into an empty database."
                    )
                builder = DemoBuilder(today=timezone.localdate())
                builder.build()
                kept = set(builder.written_files)
                stale = [name for name in old_files if name not in kept]
                transaction.on_commit(lambda: [default_storage.delete(name) for name in stale])
        except BaseException:
            if builder is not None:
                builder.discard_files()
            raise

        self._summary(builder, time.monotonic() - started, reloaded=bool(present))

    def _summary(self, builder: DemoBuilder, seconds: float, reloaded: bool) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"{'Reloaded' if reloaded else 'Loaded'} the demo city {names.CITY} "
                f"(districts {', '.join(DISTRICT_CODES)}) in {seconds:.1f} s, as of {builder.today}."
            )
        )
        for label, count in demo_counts().items():
            out.write(f"  {label:<18} {count:>6}")
        out.write("")
        out.write(f"Demo accounts (password {names.PASSWORD}):")
        wanted = set(ACCOUNT_USERNAMES)
        ids = list(District.objects.filter(code__in=DISTRICT_CODES).values_list("pk", flat=True))
        accounts = {a[0]: a for a in builder.accounts}
        for username in sorted(wanted, key=lambda u: (u.rstrip("2") != u, u)):
            if username in accounts:
                _u, role, real_name, unit = accounts[username]
                out.write(f"  {username:<16} {role:<15} {real_name:<6} {unit}")
        others = User.objects.filter(demo_users(ids)).exclude(username__in=wanted).count()
        out.write(f"  … and {others} more people (user names in pinyin), same password.")
