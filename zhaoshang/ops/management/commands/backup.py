"""Write one archive of the database and the uploaded files (see zhaoshang/ops/backup/ and
docs/operations.md, "Backup and restore")."""

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    # A backup or a restore must not depend on the rest of the configuration being right.
    requires_system_checks = []
    help = (
        "Back up the database (pg_dump or the SQLite backup API) and MEDIA_ROOT into one tar "
        "archive with a manifest of row counts and file hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default=None,
            help="a folder (the archive gets a dated name) or a file name; default: the current "
            "folder",
        )
        parser.add_argument(
            "--database", default="default", help="the database alias (default: default)"
        )

    def handle(self, *args, output=None, database="default", **options):
        try:
            path, manifest = create_backup(output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        db = manifest["database"]
        self.stdout.write(
            f"Backup written: {path}\n"
            f"  size: {path.stat().st_size} bytes in {manifest['seconds']} s\n"
            f"  database: {db['vendor']} {db['name']!r}, {len(manifest['tables'])} tables, "
            f"{manifest['total_rows']} rows ({db['size']} bytes dumped)\n"
            f"  media: {len(manifest['media'])} files, {manifest['media_bytes']} bytes"
        )
