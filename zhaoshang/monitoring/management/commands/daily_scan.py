"""``manage.py daily_scan`` (SPEC §19): every scan of the platform, then the traffic lights
recomputed and escalated. Safe to run twice: the second run on a day changes nothing.

``--district CODE_OR_ID`` (repeatable) scans only those districts (``daily_scan``'s
``district_ids``): the districts of a province can be scanned one by one or side by side,
and together they leave what one whole scan leaves."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from zhaoshang.monitoring.services import daily_scan
from zhaoshang.org.models import District


class Command(BaseCommand):
    help = "Recompute lights and warnings and queue reminders (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="scan as of this day (YYYY-MM-DD; default today)", default=None
        )
        parser.add_argument(
            "--district",
            action="append",
            default=None,
            metavar="CODE_OR_ID",
            help="scan only this district, by its code or id (repeatable; default every one)",
        )

    def handle(self, *args, date=None, district=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        # What the scan writes for people (titles, notifications) is in the district's
        # language, not the server shell's.
        with translation.override(settings.LANGUAGE_CODE):
            report = daily_scan(today, district_ids=_district_ids(district))
        for step, what in report:
            self.stdout.write(f"{step}: {what}")


def _district_ids(names: list[str] | None) -> list[int] | None:
    """The ids of the districts named by code or id (None: every district); an unknown
    name is an error, not a scan of nothing."""
    if not names:
        return None
    by_code = dict(District.objects.values_list("code", "pk"))
    ids = set(by_code.values())
    found = []
    for name in names:
        if name in by_code:
            found.append(by_code[name])
        elif name.isdigit() and int(name) in ids:
            found.append(int(name))
        else:
            raise CommandError(f"--district: no district with the code or id {name!r}")
    return sorted(set(found))
