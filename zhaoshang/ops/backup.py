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

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3.gz"
MEDIA_PREFIX = "media/"
_CHUNK = 1024 * 1024
SQLITE_LOCK_TIMEOUT = 60  # seconds


class BackupError(Exception):
    """A backup or restore that cannot go on; the message tells the operator why and what to do."""


@dataclass
class RestoreReport:
    """What a restore put back and how it compares with the archive's manifest."""

    manifest: dict
    tables_checked: int = 0
    rows_checked: int = 0
    files_checked: int = 0
    bytes_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def lines(self) -> list[str]:
        """The report an operator reads after a restore."""
        m = self.manifest
        out = [
            f"Archive made {m['created_at']} from {m['database']['vendor']} "
            f"database {m['database']['name']!r} "
            f"(app {m['app'].get('version') or '?'}, commit {m['app'].get('commit') or '?'}).",
            f"Tables: {self.tables_checked} checked, {self.rows_checked} rows.",
            f"Media files: {self.files_checked} checked, {self.bytes_checked} bytes.",
        ]
        out += [f"WARNING: {w}" for w in self.warnings]
        if self.ok:
            out.append("Verification: every table's row count and every file's SHA-256 match.")
        else:
            out.append(f"Verification FAILED: {len(self.mismatches)} mismatch(es):")
            out += [f"  - {x}" for x in self.mismatches]
        return out


# ---------------------------------------------------------------------------------------------
# Helpers shared by backup and restore


def vendor_of(settings_dict: dict) -> str:
    """'postgresql' or 'sqlite' for a DATABASES entry; anything else is not supported."""
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not the database engine {engine}.")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(settings_dict: dict) -> dict:
    """libpq environment for pg_dump/pg_restore/createdb from a Django DATABASES entry, so
    the tools reach exactly the database Django uses (the password never on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    env["PGDATABASE"] = settings_dict["NAME"]
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(args: list[str], env: dict, what: str) -> str:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} is not installed: install the PostgreSQL client tools of the server's "
            "major version (Debian: apt-get install postgresql-client-15)."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


def tool_major_version(tool: str) -> int:
    """The major version of a PostgreSQL client tool: 'pg_dump (PostgreSQL) 15.20 …' → 15."""
    output = _run([tool, "--version"], dict(os.environ), f"{tool} --version")
    match = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)\.\d+", output)
    if not match:
        raise BackupError(f"Cannot read the version of {tool} from {output.strip()!r}.")
    return int(match.group(1))


def _new_connection(settings_dict: dict, alias: str):
    """A connection of its own (not one of django.db.connections) to the given database."""
    from django.db.utils import load_backend

    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(dict(settings_dict), alias)


def _count_rows(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - table names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [r[0] for r in rows]


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = _sqlite_readonly(path)
    try:
        return _count_rows(db.cursor(), _sqlite_tables(db), _sqlite_quote)
    finally:
        db.close()


def _pg_counts(settings_dict: dict) -> dict[str, int]:
    conn = _new_connection(settings_dict, "backup_check")
    try:
        with conn.cursor() as cursor:
            tables = conn.introspection.table_names(cursor)
            return _count_rows(cursor, tables, conn.ops.quote_name)
    finally:
        conn.close()


def media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every regular file under MEDIA_ROOT, sorted."""
    if not media_root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(media_root).as_posix(), path


def _app_info() -> dict:
    version = None
    with contextlib.suppress(Exception):
        import tomllib

        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fh:
            version = tomllib.load(fh)["project"]["version"]
    commit = os.environ.get("ZHAOSHANG_COMMIT") or None
    if commit is None:
        with contextlib.suppress(Exception):
            result = subprocess.run(
                ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if result.returncode == 0:
                commit = result.stdout.strip() or None
    return {"version": version, "commit": commit, "django": django.get_version()}


# ---------------------------------------------------------------------------------------------
# Backup


def default_archive_name(vendor: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
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
    conn = _new_connection(settings_dict, "backup")
    try:
        conn.ensure_connection()
        server_major = conn.pg_version // 10000
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                tables = conn.introspection.table_names(cursor)
                counts = _count_rows(cursor, tables, conn.ops.quote_name)
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
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                "--dbname",
                settings_dict["NAME"],
            ],
            _pg_env(settings_dict),
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
    counts = _sqlite_counts(copy_path)
    target = workdir / SQLITE_MEMBER
    with open(copy_path, "rb") as src, gzip.open(target, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
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
    created_at = timezone.localtime().isoformat()
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
                    "app": _app_info(),
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


# ---------------------------------------------------------------------------------------------
# Restore


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
        while chunk := src.read(_CHUNK):
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
        conn = _new_connection(settings_dict, "restore_target")
        try:
            with conn.cursor() as cursor:
                tables = conn.introspection.table_names(cursor)
        finally:
            conn.close()
    else:
        path = Path(settings_dict["NAME"])
        tables = []
        if path.is_file() and path.stat().st_size:
            db = _sqlite_readonly(path)
            try:
                tables = _sqlite_tables(db)
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
    _run(
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
        _pg_env(settings_dict),
        "pg_restore",
    )


def _restore_sqlite(dump_gz: Path, settings_dict: dict) -> None:
    plain = dump_gz.with_suffix("")
    with gzip.open(dump_gz, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    target = Path(settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_readonly(plain)
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
        counts = _pg_counts(settings_dict)
    else:
        counts = _sqlite_counts(Path(settings_dict["NAME"]))
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
        if size != entry["size"] or _sha256_file(path) != entry["sha256"]:
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
