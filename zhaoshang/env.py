"""Typed environment variables that fail loudly on a bad value.

Every setting read from the environment goes through one of these readers, so a
typo in a deployment (``DEBUG=ture``, a malformed ``DATABASE_URL``) stops the
process at start-up with a message naming the variable and the reason, instead
of silently falling back to a default.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or (default is None and not value.strip()):
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean: use one of "
        "1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a whole number."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default_sqlite_path: str | None) -> dict | None:
    """Parse a database URL (``DATABASE_URL``, ``DATABASE_REPLICA_URL``). Unset means the
    embedded SQLite file ``default_sqlite_path`` — or, when that is None (the read replica),
    None: no such database."""
    import dj_database_url

    value = os.environ.get(name, "").strip()
    if not value:
        if default_sqlite_path is None:
            return None
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"Environment variable {name} has the unsupported scheme {scheme!r}: "
            "use postgres://user:password@host:port/name or sqlite:///path."
        )
    if scheme != "sqlite" and (not parts.hostname or parts.path in ("", "/")):
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is malformed: it needs a host and a "
            "database name, as in postgres://user:password@host:5432/name."
        )
    # Persistent connections (a request reuses its worker's connection for up to
    # DATABASE_CONN_MAX_AGE seconds) with a health check before reuse, so that a
    # restarted or failed-over PostgreSQL costs one retried connection, not an error.
    conn_max_age = env_int("DATABASE_CONN_MAX_AGE", 60)
    try:
        config = dj_database_url.parse(
            value,
            conn_max_age=conn_max_age,
            conn_health_checks=True,
        )
        if scheme != "sqlite":
            _ = parts.port  # raises ValueError on a non-numeric port
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}.") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    elif "jit" not in config.get("OPTIONS", {}).get("options", ""):
        # PostgreSQL's JIT compiles a query whose estimated cost is high, and the daily
        # scan's and the KPIs' correlated subqueries are estimated high at a province's size
        # although they read one district: compiling took 6 of a statement's 6.3 s
        # (bench/province.py). The platform's statements are short; JIT only costs them.
        # A URL that names ``jit`` in its ``options`` keeps its own choice.
        _pg_option(config, "-c jit=off")
    return config


def _pg_option(config: dict, option: str) -> None:
    """Add a server setting to a PostgreSQL connection's ``options``."""
    options = config.setdefault("OPTIONS", {})
    options["options"] = f"{options['options']} {option}" if options.get("options") else option


def env_replica_database(name: str) -> dict | None:
    """Parse ``DATABASE_REPLICA_URL``, the read replica (``core.replica``) — exactly as
    ``DATABASE_URL`` (the same ``DATABASE_CONN_MAX_AGE`` and health checks) — or None when
    it is unset (then there is no ``replica`` alias and every query goes to the primary).

    On PostgreSQL the replica's sessions are read-only (``default_transaction_read_only``):
    a hot standby refuses writes anyway, and a replica URL pointing at the primary by
    mistake (or on purpose, to try the routing) still cannot be written through. For the
    test runner the alias is a mirror of ``default`` (``TEST["MIRROR"]``): no test database
    is made for it."""
    config = env_database(name, None)
    if config is None:
        return None
    if config["ENGINE"] == "django.db.backends.postgresql":
        _pg_option(config, "-c default_transaction_read_only=on")
    config["TEST"] = {"MIRROR": "default"}
    return config
