"""What backup and restore share: the archive's layout, the errors and report, the
PostgreSQL client tools, row counts and the media files (see ``zhaoshang.ops.backup``)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings

FORMAT = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3.gz"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
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


def vendor_of(settings_dict: dict) -> str:
    """'postgresql' or 'sqlite' for a DATABASES entry; anything else is not supported."""
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not the database engine {engine}.")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pg_env(settings_dict: dict) -> dict:
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


def run(args: list[str], env: dict, what: str) -> str:
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
    output = run([tool, "--version"], dict(os.environ), f"{tool} --version")
    match = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)\.\d+", output)
    if not match:
        raise BackupError(f"Cannot read the version of {tool} from {output.strip()!r}.")
    return int(match.group(1))


def new_connection(settings_dict: dict, alias: str):
    """A connection of its own (not one of django.db.connections) to the given database."""
    from django.db.utils import load_backend

    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(dict(settings_dict), alias)


def count_rows(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - table names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [r[0] for r in rows]


def sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite_readonly(path)
    try:
        return count_rows(db.cursor(), sqlite_tables(db), sqlite_quote)
    finally:
        db.close()


def pg_counts(settings_dict: dict) -> dict[str, int]:
    conn = new_connection(settings_dict, "backup_check")
    try:
        with conn.cursor() as cursor:
            tables = conn.introspection.table_names(cursor)
            return count_rows(cursor, tables, conn.ops.quote_name)
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


def app_info() -> dict:
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
