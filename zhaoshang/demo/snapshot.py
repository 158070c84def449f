"""The demo city kept once loaded, for the next load of the same city (``load_demo
--snapshot``, which ``make demo`` runs): a second checkout, or the same one after its
database was removed, gets it back in seconds instead of replaying the year again.

A snapshot is the whole SQLite database as the load committed it and the files the load
wrote, in the user's cache (``ZHAOSHANG_CACHE`` or ``$XDG_CACHE_HOME/zhaoshang``, else
``~/.cache/zhaoshang``), under a key of everything the city is made from: the day (every
date is counted back from today), the code and data of the project (each file of the
``zhaoshang`` package but its tests), the locked packages, the settings that reach the
rows. Any change there is another key, so a snapshot is never stale; the two newest are kept.

It is used only where it cannot lose anything: on SQLite with files on the local disk, and
only into a database holding what the snapshot's database held before its load — no
district, no user, and every table's row count the same (what the migrations seed) — since
restoring replaces the whole database. Anything else loads as usual.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

from zhaoshang.core import datastamp
from zhaoshang.org.models import District, User

PACKAGE = Path(__file__).resolve().parents[1]  # zhaoshang/
KEPT = 2
# The settings the load's rows depend on besides the code (the language of the stored
# texts, the moments' zone, the hashers of the shared password, the key of signed values).
SETTINGS = ("LANGUAGE_CODE", "TIME_ZONE", "USE_TZ", "PASSWORD_HASHERS", "SECRET_KEY")


def cache_dir() -> Path:
    base = os.environ.get("ZHAOSHANG_CACHE") or (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zhaoshang"
    )
    return Path(base) / "demo"


def usable() -> bool:
    """A snapshot can be kept and restored here: SQLite, files on the local disk."""
    return connection.vendor == "sqlite" and isinstance(default_storage, FileSystemStorage)


def key(today) -> str:
    """The key of the city loaded on ``today`` by this checkout with these settings."""
    digest = hashlib.sha256(today.isoformat().encode())
    for name in SETTINGS:
        digest.update(repr(getattr(settings, name, None)).encode())
    lock = PACKAGE.parent / "requirements.lock"
    files = [lock] if lock.exists() else []
    for folder, dirs, names in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d not in ("tests", "__pycache__"))
        files += [Path(folder) / n for n in sorted(names) if not n.endswith((".pyc", ".pyo"))]
    for path in files:
        digest.update(str(path.relative_to(PACKAGE.parent)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def table_counts() -> dict[str, int]:
    """Every table's row count (the state a snapshot may be restored into)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        return {t: cursor.execute(f"SELECT COUNT(*) FROM {quote(t)}").fetchone()[0] for t in tables}


def blank() -> bool:
    """No district and no user: nothing a person made (the migrations' seeds aside)."""
    return not District.objects.exists() and not User.objects.exists()


def media_files() -> set[str]:
    root = Path(default_storage.location)
    if not root.is_dir():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


class Snapshot:
    """The snapshot of ``key``'s city: ``db.sqlite3``, ``media/``, ``meta.json``."""

    def __init__(self, key: str):
        self.folder = cache_dir() / key

    @property
    def meta(self) -> dict:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    def fits(self, counts: dict[str, int]) -> bool:
        """Whether it exists and was taken from a database in the state ``counts``."""
        try:
            return (self.folder / "db.sqlite3").is_file() and self.meta["before"] == counts
        except (OSError, ValueError, KeyError):
            return False

    def restore(self) -> dict:
        """Replace the database with the snapshot's and put its files in place; return the
        snapshot's notes (the summary the load printed)."""
        media = self.folder / "media"
        root = Path(default_storage.location)
        for path in media.rglob("*"):
            if path.is_file():
                target = root / path.relative_to(media)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        connection.ensure_connection()
        source = sqlite3.connect(self.folder / "db.sqlite3")
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        datastamp.changed()  # written past Django's connection: kept pages are stale
        return self.meta

    def take(self, before: dict[str, int], files_before: set[str], notes: dict) -> None:
        """Keep the database as committed and the files written since ``files_before``."""
        partial = self.folder.with_name(self.folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        (partial / "media").mkdir(parents=True)
        root = Path(default_storage.location)
        for name in sorted(media_files() - files_before):
            target = partial / "media" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / name, target)
        connection.ensure_connection()
        copy = sqlite3.connect(partial / "db.sqlite3")
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        meta = {"before": before, **notes}
        (partial / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        shutil.rmtree(self.folder, ignore_errors=True)
        partial.rename(self.folder)
        self._prune()

    def _prune(self) -> None:
        """Keep the ``KEPT`` newest snapshots."""
        others = [p for p in self.folder.parent.iterdir() if p.is_dir() and p != self.folder]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[KEPT - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
