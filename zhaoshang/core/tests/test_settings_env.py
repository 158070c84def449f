"""Settings read typed environment variables and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhaoshang.env import env_bool, env_database, env_int

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@localhost/x", "unsupported scheme"),
        ("postgres://", "needs a host and a database name"),
        ("postgres://localhost", "needs a host and a database name"),
        ("postgres://u@localhost:abc/db", "malformed"),
        ("not a url", "unsupported scheme"),
    ],
)
def test_malformed_database_url_names_the_variable_and_reason(monkeypatch, url, words):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_database("DATABASE_URL", "/tmp/x.sqlite3")
    assert "DATABASE_URL" in str(exc.value) and words in str(exc.value)


def test_database_url_unset_means_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert env_database("DATABASE_URL", "/tmp/x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"


def test_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    config = env_database("DATABASE_URL", "/tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["NAME"] == "test"
    # Persistent connections, checked before reuse (a restarted server costs a reconnect).
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True
    # No JIT: it compiled the scan's and the KPIs' statements for longer than they ran.
    assert config["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?options=-c%20jit%3Don"
    )
    assert env_database("DATABASE_URL", "/tmp/x.sqlite3")["OPTIONS"]["options"] == "-c jit=on"
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert env_database("DATABASE_URL", "/tmp/x.sqlite3")["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "long")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_CONN_MAX_AGE='long'"):
        env_database("DATABASE_URL", "/tmp/x.sqlite3")


def test_booleans_and_integers_are_checked(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='ture' is not a boolean"):
        env_bool("DEBUG")
    monkeypatch.setenv("UPLOAD_MAX_MB", "lots")
    with pytest.raises(ImproperlyConfigured, match="UPLOAD_MAX_MB='lots' is not a whole number"):
        env_int("UPLOAD_MAX_MB", 20)


def _manage(*args, **env):
    # Not the test run's own settings, nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (a
    # production process never has it: check --deploy refuses it).
    kept_out = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in kept_out}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bad_database_url_stops_the_process_with_a_clear_message():
    result = _manage("check", DATABASE_URL="postgres://")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "needs a host and a database name" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ZHAOSHANG_PRODUCTION="1",
        SECRET_KEY="x" * 20 + "A1!" + "y" * 40,
        ALLOWED_HOSTS="zs.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_needs_a_secret_key():
    result = _manage("check", ZHAOSHANG_PRODUCTION="1", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_the_replica_url_is_parsed_like_the_primarys(monkeypatch):
    from zhaoshang.env import env_replica_database

    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    assert env_replica_database("DATABASE_REPLICA_URL") is None  # no alias: the primary
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@10.0.0.2:5432/zs")
    config = env_replica_database("DATABASE_REPLICA_URL")
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["HOST"] == "10.0.0.2"
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True
    # Read-only sessions, and a mirror of the primary for the test runner.
    assert config["OPTIONS"]["options"] == "-c jit=off -c default_transaction_read_only=on"
    assert config["TEST"] == {"MIRROR": "default"}
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://localhost")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        env_replica_database("DATABASE_REPLICA_URL")


def test_a_replica_url_adds_the_alias_and_its_router():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
            "DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5432/zs",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica'] ['zhaoshang.core.replica.ReplicaRouter']"
    )
