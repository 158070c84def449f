"""Writing a backup archive: the database dump (pg_dump inside an exported snapshot, or
SQLite's online backup API), then the media files, then the manifest."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from zhaoshang.core import clock
from zhaoshang.ops.backup.common import (
    CHUNK,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    PG_MEMBER,
    SQLITE_LOCK_TIMEOUT,
    SQLITE_MEMBER,
    BackupError,
    app_info,
    count_rows,
    media_files,
    new_connection,
    pg_env,
    run,
    sqlite_counts,
    tool_major_version,
    vendor_of,
)


def default_archive_name(vendor: str) -> str:
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M%S")
    return f"zhaoshang-backup-{vendor}-{stamp}.tar"


def _archive_path(output: str | Path | None, vendor: str, media_root: Path) -> Path:
    if output is None:
        output = Path.cwd()
    path = Path(output)
    if path.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            f"Write the archive outside MEDIA_ROOT ({media_root}): it would back itself up."
        )
    if path.is_dir() or str(output).endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        return path / default_archive_name(vendor)
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} for the archive does not exist.")
    if path.exists():
        raise BackupError(f"{path} exists already: choose another name or a folder.")
    return path


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing it, so the hash is of exactly the bytes stored."""

    def __init__(self, fh):
        self.fh = fh
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size = stat.st_size
    info.mtime = int(stat.st_mtime)
    info.mode = 0o600
    with open(path, "rb") as fh:
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    return {"size": stat.st_size, "sha256": reader.digest.hexdigest()}


@contextlib.contextmanager
def _pg_snapshot(settings_dict: dict) -> Iterator[tuple[str, dict[str, int], int]]:
    """A read-only repeatable-read transaction on a connection of its own, kept open while
    pg_dump runs: yields (exported snapshot id, row count of every table, server major)."""
    conn = new_connection(settings_dict, "backup")
    try:
        conn.ensure_connection()
        server_major = conn.pg_version // 10000
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                tables = conn.introspection.table_names(cursor)
                counts = count_rows(cursor, tables, conn.ops.quote_name)
                yield snapshot, counts, server_major
            finally:
                cursor.execute("ROLLBACK")
    finally:
        conn.close()


def _dump_postgresql(settings_dict: dict, workdir: Path) -> tuple[Path, dict]:
    dump_major = tool_major_version("pg_dump")
    target = workdir / PG_MEMBER
    with _pg_snapshot(settings_dict) as (snapshot, counts, server_major):
        if dump_major < server_major:
            raise BackupError(
                f"pg_dump {dump_major} cannot dump a PostgreSQL {server_major} server: install "
                f"postgresql-client-{server_major} and put its pg_dump first on PATH."
            )
        run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                "--dbname",
                settings_dict["NAME"],
            ],
            pg_env(settings_dict),
            "pg_dump",
        )
    info = {"server_major": server_major, "pg_dump_major": dump_major}
    return target, {"counts": counts, **info}


def _dump_sqlite(using: str, workdir: Path) -> tuple[Path, dict]:
    conn = connections[using]
    if conn.in_atomic_block:
        # SQLite answers "busy" for ever to a backup from a connection holding a write lock.
        raise BackupError("Cannot back up SQLite from inside a transaction.")
    conn.ensure_connection()
    copy_path = workdir / "database.sqlite3"
    copy = sqlite3.connect(copy_path)
    deadline = time.monotonic() + SQLITE_LOCK_TIMEOUT

    def give_up_when_locked_too_long(status, remaining, total):
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError(
                f"The SQLite database stayed locked by another writer for "
                f"{SQLITE_LOCK_TIMEOUT} s; try again when it is quieter."
            )

    try:
        # One step (pages=-1): the copy is a consistent image even while others write.
        conn.connection.backup(copy, progress=give_up_when_locked_too_long, sleep=0.1)
    finally:
        copy.close()
    counts = sqlite_counts(copy_path)
    target = workdir / SQLITE_MEMBER
    with open(copy_path, "rb") as src, gzip.open(target, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, CHUNK)
    copy_path.unlink()
    return target, {"counts": counts, "sqlite_version": sqlite3.sqlite_version}


def create_backup(
    output: str | Path | None = None, *, using: str = "default", media_root: Path | None = None
) -> tuple[Path, dict]:
    """Write one archive of the database ``using`` and of MEDIA_ROOT; returns (path, manifest).

    The archive is written under a temporary name and renamed when complete, so a file with
    the final name is always a whole archive."""
    started = time.monotonic()
    settings_dict = connections[using].settings_dict
    vendor = vendor_of(settings_dict)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    path = _archive_path(output, vendor, media_root)
    created_at = timezone.localtime(clock.now()).isoformat()
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="zs-backup-") as tmp:
        if vendor == "postgresql":
            dump, info = _dump_postgresql(settings_dict, Path(tmp))
        else:
            dump, info = _dump_sqlite(using, Path(tmp))
        counts = info.pop("counts")
        try:
            # The archive holds personal data and password hashes: readable by the owner only.
            partial.touch()
            partial.chmod(0o600)
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                db_entry = _add_file(tar, dump.name, dump)
                media = []
                for rel, abs_path in media_files(media_root):
                    media.append({"path": rel, **_add_file(tar, MEDIA_PREFIX + rel, abs_path)})
                manifest = {
                    "format": FORMAT,
                    "created_at": created_at,
                    "app": app_info(),
                    "database": {
                        "vendor": vendor,
                        "name": Path(settings_dict["NAME"]).name
                        if vendor == "sqlite"
                        else settings_dict["NAME"],
                        "member": dump.name,
                        **db_entry,
                        **info,
                    },
                    "tables": counts,
                    "total_rows": sum(counts.values()),
                    "media": media,
                    "media_bytes": sum(f["size"] for f in media),
                    "seconds": round(time.monotonic() - started, 2),
                }
                _add_bytes(
                    tar,
                    MANIFEST,
                    json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                )
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path, manifest
