"""Restoring a backup archive into an empty (or, forced, any) database and MEDIA_ROOT, then
verifying both against the archive's manifest."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections

from zhaoshang.ops.backup.common import (
    CHUNK,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    RestoreReport,
    media_files,
    new_connection,
    pg_counts,
    pg_env,
    run,
    sha256_file,
    sqlite_counts,
    sqlite_readonly,
    sqlite_tables,
    tool_major_version,
    vendor_of,
)


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("The archive has no manifest.json: it is not a Zhaoshang backup.")
    manifest = json.loads(tar.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"The archive has format {manifest.get('format')!r}; this version reads {FORMAT}."
        )
    return manifest


def _open_archive(archive: str | Path) -> tarfile.TarFile:
    path = Path(archive)
    if not path.is_file():
        raise BackupError(f"The archive {path} does not exist.")
    try:
        return tarfile.open(path, "r:")
    except tarfile.TarError as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}.")


def _safe_relpath(rel: str) -> PurePosixPath:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"The archive names an unsafe media path {rel!r}; refusing to restore.")
    return pure


def _extract(tar: tarfile.TarFile, name: str, dest: Path, sha256: str | None = None) -> None:
    """Copy one member to dest; with sha256, check the hash of what was written."""
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"The archive lacks {name}, which its manifest lists.")
    if not member.isfile():
        raise BackupError(f"{name} in the archive is not a regular file.")
    digest = hashlib.sha256()
    src = tar.extractfile(member)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if sha256 is not None and digest.hexdigest() != sha256:
        raise BackupError(
            f"{name} in the archive is damaged (its SHA-256 differs from the manifest)."
        )


def target_contents(settings_dict: dict, media_root: Path) -> tuple[list[str], int]:
    """(tables of the target database, number of files under MEDIA_ROOT)."""
    vendor = vendor_of(settings_dict)
    if vendor == "postgresql":
        conn = new_connection(settings_dict, "restore_target")
        try:
            with conn.cursor() as cursor:
                tables = conn.introspection.table_names(cursor)
        finally:
            conn.close()
    else:
        path = Path(settings_dict["NAME"])
        tables = []
        if path.is_file() and path.stat().st_size:
            db = sqlite_readonly(path)
            try:
                tables = sqlite_tables(db)
            finally:
                db.close()
    files = sum(1 for _ in media_files(media_root))
    return sorted(tables), files


def _restore_postgresql(dump: Path, manifest: dict, settings_dict: dict) -> None:
    restore_major = tool_major_version("pg_restore")
    needed = manifest["database"].get("pg_dump_major") or 0
    if restore_major < needed:
        raise BackupError(
            f"The archive was made by pg_dump {needed}; pg_restore {restore_major} cannot read it: "
            f"install postgresql-client-{needed} or newer."
        )
    run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            settings_dict["NAME"],
            str(dump),
        ],
        pg_env(settings_dict),
        "pg_restore",
    )


def _restore_sqlite(dump_gz: Path, settings_dict: dict) -> None:
    plain = dump_gz.with_suffix("")
    with gzip.open(dump_gz, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
    target = Path(settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite_readonly(plain)
    dest = sqlite3.connect(target)
    try:
        # The backup API replaces the whole target, so tables the archive lacks disappear too.
        source.backup(dest)
    finally:
        source.close()
        dest.close()


def verify(manifest: dict, settings_dict: dict, media_root: Path) -> RestoreReport:
    """Compare a database and a MEDIA_ROOT with an archive's manifest."""
    report = RestoreReport(manifest=manifest)
    if vendor_of(settings_dict) == "postgresql":
        counts = pg_counts(settings_dict)
    else:
        counts = sqlite_counts(Path(settings_dict["NAME"]))
    expected = manifest["tables"]
    for table, count in sorted(expected.items()):
        if table not in counts:
            report.mismatches.append(f"table {table}: missing ({count} rows expected)")
        elif counts[table] != count:
            report.mismatches.append(f"table {table}: {counts[table]} rows, the backup had {count}")
        else:
            report.tables_checked += 1
            report.rows_checked += count
    extra = sorted(set(counts) - set(expected))
    if extra:
        report.warnings.append(
            f"{len(extra)} table(s) the backup does not have were left in place: "
            + ", ".join(extra[:10])
            + (" …" if len(extra) > 10 else "")
        )
    listed = set()
    for entry in manifest["media"]:
        rel = entry["path"]
        listed.add(rel)
        path = media_root / _safe_relpath(rel)
        if not path.is_file():
            report.mismatches.append(f"media file {rel}: missing")
            continue
        size = path.stat().st_size
        if size != entry["size"] or sha256_file(path) != entry["sha256"]:
            report.mismatches.append(f"media file {rel}: content differs ({size} bytes)")
            continue
        report.files_checked += 1
        report.bytes_checked += size
    extra_files = [rel for rel, _ in media_files(media_root) if rel not in listed]
    if extra_files:
        report.warnings.append(
            f"{len(extra_files)} file(s) under MEDIA_ROOT that the backup does not have were "
            "left in place, e.g. " + ", ".join(extra_files[:5])
        )
    return report


def restore_backup(
    archive: str | Path,
    *,
    settings_dict: dict | None = None,
    media_root: Path | None = None,
    force: bool = False,
) -> RestoreReport:
    """Restore an archive into a database (default: the ``default`` one) and MEDIA_ROOT, then
    verify both against the manifest. Raises BackupError before touching anything when the
    archive is damaged, made for another database vendor, or the target is not empty and
    ``force`` is not given."""
    if settings_dict is None:
        settings_dict = connections["default"].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = vendor_of(settings_dict)
    with _open_archive(archive) as tar, tempfile.TemporaryDirectory(prefix="zs-restore-") as tmp:
        manifest = read_manifest(tar)
        db = manifest["database"]
        if db["vendor"] != vendor:
            raise BackupError(
                f"The archive holds a {db['vendor']} database but the target is {vendor}: "
                "restore it into the same kind of database (set DATABASE_URL accordingly)."
            )
        names = set(tar.getnames())
        missing = [f["path"] for f in manifest["media"] if MEDIA_PREFIX + f["path"] not in names]
        if missing:
            raise BackupError(
                f"The archive lacks {len(missing)} media file(s) its manifest lists, e.g. {missing[0]}."
            )
        for entry in manifest["media"]:
            _safe_relpath(entry["path"])
        # Unpack and check the dump before touching the target.
        dump = Path(tmp) / db["member"]
        _extract(tar, db["member"], dump, db["sha256"])
        tables, files = target_contents(settings_dict, media_root)
        if (tables or files) and not force:
            raise BackupError(
                f"The target is not empty: database {settings_dict['NAME']!r} has "
                f"{len(tables)} table(s) and MEDIA_ROOT {media_root} has {files} file(s). "
                "Restore into an empty database and folder, or pass --force to overwrite them."
            )
        if vendor == "postgresql":
            _restore_postgresql(dump, manifest, settings_dict)
        else:
            _restore_sqlite(dump, settings_dict)
        for entry in manifest["media"]:
            rel = _safe_relpath(entry["path"])
            # A damaged file is restored as it is and reported by verify() below.
            _extract(tar, MEDIA_PREFIX + entry["path"], media_root / rel)
    return verify(manifest, settings_dict, media_root)
