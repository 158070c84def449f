"""Bring a district's ledger in from the command line, with the suggested mapping:

    manage.py import_ledger FILE --district CODE --user USERNAME [--dry-run] [--confirm]

The same path as the pages: a batch is stored, every sheet's kind, header row, columns and
values are suggested (the district's saved mapping first), the file is checked, and unless
``--dry-run`` it is imported (``--confirm``: then confirmed as the bureau would)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core.imports import FileRefused
from zhaoshang.core.models import ImportStatus
from zhaoshang.onboarding import registry, services


class Command(BaseCommand):
    help = "Import a district's ledger (.xlsx, one sheet per kind, or .csv) with the suggested mapping."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--district", required=True, help="the district's code")
        parser.add_argument("--user", required=True, help="the importing user (bureau or admin)")
        parser.add_argument("--kind", default=registry.WORKBOOK, help="one kind, or 'workbook'")
        parser.add_argument("--dry-run", action="store_true", help="check only; save nothing")
        parser.add_argument("--confirm", action="store_true", help="confirm the import too")

    def handle(self, *args, **options):
        from django.utils import translation

        with translation.override("zh-hans"):
            self.run(options)

    def run(self, options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            user = get_user_model().objects.select_related("district").get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No such user: {options['user']}")
        if user.district is None or user.district.code != options["district"]:
            raise CommandError(f"{user} does not belong to the district {options['district']}")
        if not services.can_onboard(user):
            raise CommandError(f"{user} may not import into the district's registry")
        with path.open("rb") as handle:
            try:
                batch = services.create_batch(user, File(handle, name=path.name), options["kind"])
            except FileRefused as exc:
                raise CommandError("; ".join(exc.messages))
        batch.rows = services.count_rows(batch)
        batch.save(update_fields=["rows"])
        services.remember_mapping(batch, user)
        for sheet in services.sheets(batch):
            self.stdout.write(f"  {sheet['name']}: {sheet.get('kind') or '(skipped)'}")
        services.check(batch, user)
        if batch.problem_count:
            for sheet, row, column, value, message in batch.problems:
                self.stdout.write(f"  {sheet} {row or '-'} {column or '-'} «{value}»: {message}")
            raise CommandError(
                f"batch #{batch.pk}: {batch.problem_count} problem(s); nothing imported"
            )
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"batch #{batch.pk}: {batch.rows} rows correct"))
            return
        services.run(batch, user)
        if batch.status != ImportStatus.IMPORTED:
            for problem in batch.problems:
                self.stdout.write(f"  {problem}")
            raise CommandError(f"batch #{batch.pk}: not imported")
        if options["confirm"]:
            from zhaoshang.core.imports import batches

            batches.confirm(user, batch)
        self.stdout.write(
            self.style.SUCCESS(f"batch #{batch.pk}: {batch.created_count} records imported")
        )
