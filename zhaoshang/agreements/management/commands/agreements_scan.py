"""The agreements part of the daily scan: obligations not met by their due date get their
breach recorded (a department's also its ledger entry), milestones past their due date
write their owner department's ledger entry. Safe to run twice: the second run writes
nothing."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.agreements.services import scan


class Command(BaseCommand):
    help = "Record missed obligations and milestones (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="scan as of this day (YYYY-MM-DD; default today)", default=None
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        result = scan(today)
        self.stdout.write(
            f"breaches recorded: {result.breaches} "
            f"(of departments: {result.department_breaches}); "
            f"missed milestones recorded: {result.missed_milestones}"
        )
