"""Backup and restore: one archive of the database and the uploaded files, restored into a NEW
database and a new MEDIA_ROOT, gives back every table with its row count and the files byte for
byte; a non-empty target is refused without --force; a damaged archive or a restore that does not
match its manifest is reported and exits non-zero.

The world is built once per session outside the test transactions, so it is committed: pg_dump
(another process) and the SQLite backup API both see it. These tests write nothing to the
database themselves, so the test connection sees exactly what the archive holds."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from zhaoshang.ops import backup

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pg_dump/pg_restore path needs PostgreSQL"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup API path needs SQLite"
)

FILES = {
    "projects/documents/2026/06/可行性研究报告.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "complaints/attachments/photo.jpg": b"\xff\xd8\xff\xe0" + os.urandom(3000),
    "reports/月报.xlsx": b"PK\x03\x04" + b"\x00" * 1500,
}


def _row_counts(conn) -> dict[str, int]:
    """Every table's row count, read independently of the code under test."""
    counts = {}
    with conn.cursor() as cursor:
        for table in conn.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _other_database(name: str):
    """A connection of its own to another database on the same server (or SQLite file)."""
    default = connections["default"]
    return default.__class__({**default.settings_dict, "NAME": name}, "restored")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    settings.MEDIA_ROOT = root
    return root


def _backup(tmp_path) -> tuple[Path, dict]:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "archives") + "/", stdout=out)
    (archive,) = (tmp_path / "archives").glob("zhaoshang-backup-*.tar")
    assert f"Backup written: {archive}" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    return archive, manifest


def _assert_same(source_counts, restored_counts, media, restored_media, manifest, world):
    assert restored_counts == source_counts
    assert manifest["tables"] == source_counts
    # The world really is in there, not just empty tables.
    assert source_counts["projects_project"] >= 2
    assert source_counts["org_user"] >= 10
    assert any("_historical" in name and n > 0 for name, n in source_counts.items())
    assert {f["path"] for f in manifest["media"]} == set(FILES)
    for rel in FILES:
        assert (restored_media / rel).read_bytes() == (media / rel).read_bytes()
        assert _sha(restored_media / rel) == _sha(media / rel)


def _tampered_copy(archive: Path, dest: Path, change) -> Path:
    """A copy of the archive whose manifest `change` edits (to prove verification can fail)."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


@on_sqlite
def test_backup_restores_into_a_new_sqlite_database(committed_db, media, tmp_path):
    """committed_db: SQLite's backup API cannot read through a connection that holds the test
    transaction's write lock (the command never runs inside one)."""
    world = committed_db
    archive, manifest = _backup(tmp_path)
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["database"]["member"] == "database.sqlite3.gz"

    target = tmp_path / "restored.sqlite3"
    target_settings = {**connection.settings_dict, "NAME": str(target)}
    restored_media = tmp_path / "restored-media"
    report = backup.restore_backup(
        archive, settings_dict=target_settings, media_root=restored_media
    )
    assert report.ok, report.lines()
    assert report.tables_checked == len(manifest["tables"])
    assert report.files_checked == len(FILES)

    restored = _other_database(str(target))
    try:
        _assert_same(
            _row_counts(connection), _row_counts(restored), media, restored_media, manifest, world
        )
        with restored.cursor() as cursor:
            cursor.execute("SELECT username FROM org_user WHERE id = %s", [world.user_bureau.pk])
            assert cursor.fetchone() == (world.user_bureau.username,)
    finally:
        restored.close()

    # Restoring again onto what is now a full database is refused, naming the way out.
    with pytest.raises(backup.BackupError, match="--force"):
        backup.restore_backup(archive, settings_dict=target_settings, media_root=restored_media)

    # A damaged dump or another vendor's target is refused before anything is touched.
    untouched = tmp_path / "untouched.sqlite3"
    damaged = _tampered_copy(
        archive, tmp_path / "damaged.tar", lambda m: m["database"].update(sha256="f" * 64)
    )
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore_backup(
            damaged,
            settings_dict={**connection.settings_dict, "NAME": str(untouched)},
            media_root=tmp_path / "m1",
        )
    assert not untouched.exists()
    assert not (tmp_path / "m1").exists()
    with pytest.raises(backup.BackupError, match="holds a sqlite database but the target is"):
        backup.restore_backup(
            archive,
            settings_dict={"ENGINE": "django.db.backends.postgresql", "NAME": "nowhere"},
            media_root=tmp_path / "m2",
        )

    # The command, as an operator runs it, reports a restore that does not match its
    # manifest and exits non-zero.
    def change(m):
        m["tables"]["projects_project"] += 1
        m["media"][0]["sha256"] = "0" * 64

    tampered = _tampered_copy(archive, tmp_path / "tampered.tar", change)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "new-media"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tampered)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    expected = manifest["tables"]["projects_project"]
    assert f"table projects_project: {expected} rows, the backup had {expected + 1}" in (
        result.stdout
    )
    assert f"media file {manifest['media'][0]['path']}: content differs" in result.stdout
    assert "Verification FAILED: 2 mismatch(es)" in result.stdout
    assert "does not match the archive" in result.stderr
    # Everything else came back.
    assert (tmp_path / "new-media" / manifest["media"][1]["path"]).is_file()
    assert f"Tables: {len(manifest['tables']) - 1} checked" in result.stdout


def _pg(tool: str, *args: str) -> None:
    subprocess.run(
        [tool, *args],
        env=backup.pg_env({**connection.settings_dict, "NAME": "postgres"}),
        check=True,
        capture_output=True,
        timeout=60,
    )


@on_postgres
def test_backup_restores_into_a_new_postgresql_database(world, media, tmp_path):
    archive, manifest = _backup(tmp_path)
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["database"]["pg_dump_major"] >= manifest["database"]["server_major"]

    name = f"zs_restore_{uuid.uuid4().hex[:12]}"
    _pg("createdb", "--template=template0", "--encoding=UTF8", name)
    restored = _other_database(name)
    try:
        restored_media = tmp_path / "restored-media"
        report = backup.restore_backup(
            archive,
            settings_dict={**connection.settings_dict, "NAME": name},
            media_root=restored_media,
        )
        assert report.ok, report.lines()
        assert report.tables_checked == len(manifest["tables"])
        _assert_same(
            _row_counts(connection), _row_counts(restored), media, restored_media, manifest, world
        )
        with restored.cursor() as cursor:
            cursor.execute("SELECT username FROM org_user WHERE id = %s", [world.user_bureau.pk])
            assert cursor.fetchone() == (world.user_bureau.username,)

        with pytest.raises(backup.BackupError, match="--force"):
            backup.restore_backup(
                archive,
                settings_dict={**connection.settings_dict, "NAME": name},
                media_root=restored_media,
            )
        # --force replaces the contents: a row deleted since comes back.
        with restored.cursor() as cursor:
            cursor.execute(
                "DELETE FROM django_migrations WHERE id = (SELECT MAX(id) FROM django_migrations)"
            )
        assert _row_counts(restored) != manifest["tables"]
        report = backup.restore_backup(
            archive,
            settings_dict={**connection.settings_dict, "NAME": name},
            media_root=restored_media,
            force=True,
        )
        assert report.ok, report.lines()
        assert _row_counts(restored) == manifest["tables"]
    finally:
        restored.close()
        _pg("dropdb", "--if-exists", "--force", name)


@on_postgres
def test_backup_refuses_a_pg_dump_older_than_the_server(world, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.archive, "tool_major_version", lambda tool: 9)
    with pytest.raises(backup.BackupError, match=r"pg_dump 9 cannot dump a PostgreSQL \d+ server"):
        backup.create_backup(tmp_path / "x.tar")
    assert not list(tmp_path.iterdir())


def test_backup_refuses_to_write_into_media_root(media):
    with pytest.raises(backup.BackupError, match="outside MEDIA_ROOT"):
        backup.create_backup(str(media / "backups") + "/")
    assert not (media / "backups").exists()
