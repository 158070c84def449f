"""Backup and restore of the database and the uploaded files together, in one archive.

An archive is a plain tar file (the database dump is compressed already, uploads are mostly
PDF, Office and image files that do not compress) holding:

- ``database.pgdump`` — ``pg_dump --format=custom`` of the PostgreSQL database, taken inside
  an exported snapshot — or ``database.sqlite3.gz`` — a copy of the SQLite file made with
  SQLite's online backup API;
- ``media/…`` — every file under ``MEDIA_ROOT``, copied after the database so that every file
  the dumped rows name is there;
- ``manifest.json`` (last) — when and from what the archive was made, the row count of every
  table (counted in the same snapshot as the dump), and the size and SHA-256 of the database
  member and of every media file.

``restore_backup`` refuses a non-empty target unless forced, restores the database
(``pg_restore --clean --if-exists --no-owner`` or the SQLite backup API) and the media files,
then counts and hashes what it restored and compares it with the manifest.
"""

from zhaoshang.ops.backup.archive import create_backup, default_archive_name
from zhaoshang.ops.backup.common import (
    BackupError,
    RestoreReport,
    media_files,
    pg_env,
    tool_major_version,
    vendor_of,
)
from zhaoshang.ops.backup.restore import read_manifest, restore_backup, target_contents, verify

__all__ = [
    "BackupError",
    "RestoreReport",
    "create_backup",
    "default_archive_name",
    "media_files",
    "pg_env",
    "read_manifest",
    "restore_backup",
    "target_contents",
    "tool_major_version",
    "vendor_of",
    "verify",
]
