"""Restore an archive written by `backup` into the configured database and MEDIA_ROOT, then
verify row counts and file hashes against its manifest (non-zero exit on any mismatch)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from zhaoshang.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    # A backup or a restore must not depend on the rest of the configuration being right.
    requires_system_checks = []
    help = (
        "Restore a backup archive into the DATABASE_URL database and MEDIA_ROOT and verify it. "
        "Refuses a non-empty target unless --force. Stop the web server and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar archive written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database and MEDIA_ROOT that are not empty",
        )

    def handle(self, *args, archive, force=False, **options):
        # This process must hold no connection to the database being replaced.
        connections.close_all()
        settings_dict = connections["default"].settings_dict
        try:
            report = restore_backup(archive, settings_dict=settings_dict, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"The restored data does not match the archive ({len(report.mismatches)} "
                "mismatch(es), listed above)."
            )
        self.stdout.write(self.style.SUCCESS("Restore complete and verified."))
