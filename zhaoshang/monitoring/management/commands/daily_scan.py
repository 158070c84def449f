"""``manage.py daily_scan`` (SPEC §19): every scan of the platform, then the traffic lights
recomputed and escalated. Safe to run twice: the second run on a day changes nothing."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from zhaoshang.monitoring.services import daily_scan


class Command(BaseCommand):
    help = "Recompute lights and warnings and queue reminders (idempotent)."

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
        # What the scan writes for people (titles, notifications) is in the district's
        # language, not the server shell's.
        with translation.override(settings.LANGUAGE_CODE):
            report = daily_scan(today)
        for step, what in report:
            self.stdout.write(f"{step}: {what}")
