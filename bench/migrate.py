"""``python -m bench migrate [--runs 3] [--postgres URL] [--no-replay]`` — ``migrate`` on an
empty database, against a bare ``manage.py check`` measured in the same run.

Each run starts a new process on a new, empty database (a SQLite file under a temporary
directory; with ``--postgres postgres://user@host:port/`` also a new PostgreSQL database, named
``bench_migrate_…`` and dropped afterwards):

(check)   ``manage.py check``: Django set up, the project imported, the system checks;
(fresh)   ``manage.py migrate``: on an empty database, the tables created from the models and
          the data migrations run (``zhaoshang/core/migrating.py``);
(replay)  ``manage.py migrate --replay``: every migration run one by one, as before.

It prints the wall and CPU time (user + system of the process) of each, min and median of
``--runs``, and their ratios to (check). On a busy machine compare the CPU columns.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], database_url: str) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = database_url
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _postgres(server: str):
    """A context-free pair: (url of a new empty database, a function dropping it)."""
    import psycopg

    name = f"bench_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(server + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return server + name, drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench migrate", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--postgres", help="a server URL ending in /, e.g. postgres://postgres@127.0.0.1:5432/"
    )
    parser.add_argument("--no-replay", action="store_true", help="skip the (slow) replay")
    options = parser.parse_args(argv)
    kinds = [("check", ["check"]), ("fresh", ["migrate", "--noinput"])]
    if not options.no_replay:
        kinds.append(("replay", ["migrate", "--noinput", "--replay"]))
    vendors = ["sqlite"] + (["postgresql"] if options.postgres else [])
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
        for run in range(options.runs):
            for vendor in vendors:
                for kind, args in kinds:
                    if vendor == "sqlite":
                        url, drop = f"sqlite:///{Path(tmp) / f'{kind}-{run}.sqlite3'}", None
                    else:
                        url, drop = _postgres(options.postgres)
                    try:
                        results.setdefault((vendor, kind), []).append(_run(args, url))
                    finally:
                        if drop:
                            drop()
    print(f"migrate on an empty database, {options.runs} runs (seconds: min / median)")
    print(
        f"{'database':<11}{'step':<8}{'wall':>15}{'cpu':>15}{'wall ÷ check':>14}{'cpu ÷ check':>13}"
    )
    for vendor in vendors:
        base = results[(vendor, "check")]
        base_wall = statistics.median(w for w, _ in base)
        base_cpu = statistics.median(c for _, c in base)
        for kind, _ in kinds:
            got = results[(vendor, kind)]
            walls, cpus = [w for w, _ in got], [c for _, c in got]
            print(
                f"{vendor:<11}{kind:<8}"
                f"{min(walls):>7.1f} /{statistics.median(walls):>6.1f}"
                f"{min(cpus):>7.1f} /{statistics.median(cpus):>6.1f}"
                f"{statistics.median(walls) / base_wall:>13.1f}×"
                f"{statistics.median(cpus) / base_cpu:>12.1f}×"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
