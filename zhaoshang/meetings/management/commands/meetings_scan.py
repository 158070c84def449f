"""The supervision part of the daily scan: overdue action items write their ledger entry
once and are escalated once per due date. Safe to run twice: the second run changes nothing."""

from django.core.management.base import BaseCommand

from zhaoshang.meetings.services import scan_overdue


class Command(BaseCommand):
    help = "Record and escalate overdue supervised action items (idempotent)."

    def handle(self, *args, **options):
        scan = scan_overdue()
        self.stdout.write(
            f"overdue action items recorded: {scan.recorded}; escalated: {scan.escalated}"
        )
