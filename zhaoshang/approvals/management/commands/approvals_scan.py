"""The approvals part of the daily scan: pledges past their date pause (and after 15
working days return) their cases; overdue cases write their ledger entries once.
Safe to run twice: the second run changes nothing."""

from django.core.management.base import BaseCommand

from zhaoshang.approvals.services import scan_overdue, scan_pledges


class Command(BaseCommand):
    help = "Apply the pledge rules and record overdue approval cases (idempotent)."

    def handle(self, *args, **options):
        paused, returned = scan_pledges()
        written = scan_overdue()
        self.stdout.write(
            f"pledges: {paused} paused, {returned} returned; overdue cases recorded: {written}"
        )
