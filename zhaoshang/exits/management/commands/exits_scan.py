"""The exit part of the daily scan (SPEC §11): raise exit warnings for projects past a
rule's due date, clear those whose project has met the condition since, put back excluded
warnings whose moved due date has passed. Safe to run twice: the second run changes nothing."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.exits.services import scan


class Command(BaseCommand):
    help = "Raise and clear exit warnings (三个月不开工、两年不投产、三年不见效); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Scan as of this day (YYYY-MM-DD); default today.")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        counts = scan(today)
        self.stdout.write(
            "exit warnings raised: {raised}; cleared: {cleared}; held: {held}; reopened: {reopened}; "
            "rules created: {rules}".format(**counts)
        )
