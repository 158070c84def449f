"""``python -m bench demo [--runs N] [--profile FILE]`` — ``load_demo`` on a fresh SQLite
database, part by part: wall time, CPU time and SQL statements of each part of the demo
builder, min/median over the runs (the total's CPU counts the process drawing the reports'
PDFs beside the load; the parts' CPU is the load's own). Each run migrates a new database file once (copied for
the later runs) in a child process, so the runs are alike and nothing of the developer's
database is touched.

    python -m bench demo --runs 3
    python -m bench demo --runs 1 --profile /tmp/demo.prof   # cProfile of the whole load
    python -m bench demo --digest /tmp/before.json   # what the load wrote, table by table
    python -m bench demo --template /tmp/migrated.sqlite3   # keep the migrated database

With ``--digest FILE`` one load runs at a fixed moment (``DIGEST_NOW``) and FILE gets, per
model, the row count and a digest of its rows that does not depend on primary keys (keys to
other rows, files and secrets are left out); a second FILE from another version of the demo
is compared with it and the tables that differ are listed — the check that a refactoring of
the demo leaves the city as it was. Two loads of the same code differ only in the tables
holding random values (salted passwords, tokens, codes): run it twice to see which.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import cProfile, json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.db import connection
from django.core.management import call_command
from zhaoshang.demo import builder as B

parts = {}
queries = [0]
depth = [0]

def counter(execute, sql, params, many, context):
    queries[0] += 1
    return execute(sql, params, many, context)

def timed(name, fn, outer_only=False):
    def run(*args, **kwargs):
        if outer_only and depth[0]:
            return fn(*args, **kwargs)
        w, c, q = time.perf_counter(), time.process_time(), queries[0]
        depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            row = parts.setdefault(name, [0.0, 0.0, 0])
            row[0] += time.perf_counter() - w
            row[1] += time.process_time() - c
            row[2] += queries[0] - q
    return run

classes = [*B.PARTS, B.AssessmentBuilder, B.ReportsBuilder, B.OpsBuilder]
for cls in classes:
    cls.build = timed(cls.__name__.removesuffix("Builder").lower(), cls.build)
for meth, name in (("_district", "districts"), ("_plan_projects", "plans"),
                   ("_lights", "lights"), ("_inbox_read", "inbox"),
                   ("_notifications", "notifications"), ("_enterprise_users", "enterprise users")):
    setattr(B.DemoBuilder, meth, timed(name, getattr(B.DemoBuilder, meth)))
B.Timeline.run = timed("projects (timeline)", B.Timeline.run, outer_only=True)
profile = sys.argv[1] if len(sys.argv) > 1 else ""
digest_to = sys.argv[2] if len(sys.argv) > 2 else ""
if digest_to:
    import datetime, zoneinfo, time_machine
    at = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    time_machine.travel(at, tick=False).start()
w, c = time.perf_counter(), time.process_time()
with connection.execute_wrapper(counter), open(os.devnull, "w") as out:
    if profile:
        cProfile.run("call_command('load_demo', stdout=out)", profile)
    else:
        call_command("load_demo", stdout=out)
import resource
# (the CPU of the processes the load forked beside it too: the reports' PDFs)
forked = resource.getrusage(resource.RUSAGE_CHILDREN)
total = [time.perf_counter() - w, time.process_time() - c + forked.ru_utime + forked.ru_stime,
         queries[0]]
if digest_to:
    from bench.demo import table_digests
    with open(digest_to, "w") as f:
        json.dump(table_digests(), f, indent=1, sort_keys=True)
print(json.dumps({"total": total, "parts": parts}))
"""


SECRET_WORDS = ("password", "token", "key", "secret", "claim", "salt", "code_hash", "task_id")


def table_digests() -> dict[str, list]:
    """{model label: [row count, sha256 of its rows]} over every model, leaving out primary
    and foreign keys (they shift with insertion order), files and secret-looking fields; and
    the same of each of its columns (``label.field``)."""
    import hashlib

    from django.apps import apps
    from django.db import models

    out = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key
            and not f.is_relation
            and not isinstance(f, models.FileField)
            and not any(word in f.attname for word in SECRET_WORDS)
        ]
        values = list(model._default_manager.values_list(*fields))
        rows = sorted(repr(row) for row in values)
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
        out[model._meta.label] = [len(rows), digest]
        for n, field in enumerate(fields):  # each column's, to tell which of a table differ
            column = sorted(repr(row[n]) for row in values)
            out[f"{model._meta.label}.{field}"] = [
                len(rows),
                hashlib.sha256("\n".join(column).encode()).hexdigest()[:16],
            ]
    return out


def _compare(before: dict, after: dict) -> list[str]:
    return [
        f"{label}: {before.get(label)} -> {after.get(label)}"
        for label in sorted(set(before) | set(after))
        if before.get(label) != after.get(label)
    ]


def _run(db: Path, profile: str, digest: str = "") -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONDONTWRITEBYTECODE": ""}
    # Files of its own: the developer's are not touched, and no name is taken already (the
    # storage would add a random suffix, and the digests of the rows naming files differ).
    env["MEDIA_ROOT"] = str(db.with_name(f"{db.stem}-media"))
    env["PYTHONHASHSEED"] = "0"  # set iteration alike in every run
    env.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, profile, digest],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.stderr.write(out.stderr[-6000:])
        raise SystemExit(f"load_demo failed (exit {out.returncode}) on {db}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _migrated(template: Path) -> None:
    """Migrate ``template`` unless it is a database migrated to the current migrations
    already (``--template``: kept between invocations, the migration takes minutes)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}"}
    if template.exists():
        check = [sys.executable, "manage.py", "migrate", "--check", "-v0"]
        if subprocess.run(check, cwd=ROOT, env=env, capture_output=True).returncode == 0:
            return
        template.unlink()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench demo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="", help="write a cProfile of the (last) run here")
    parser.add_argument("--digest", default="", help="write the tables' digests here (one run)")
    parser.add_argument("--compare", default="", help="a digest file to compare --digest with")
    parser.add_argument(
        "--template",
        default="",
        help="a migrated SQLite file to copy for each run, kept (migrated first if missing or "
        "behind the migrations)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(args.template) if args.template else Path(tmp) / "migrated.sqlite3"
        _migrated(template)
        results = []
        for n in range(args.runs):
            db = Path(tmp) / f"run{n}.sqlite3"
            shutil.copy(template, db)
            last = n == args.runs - 1
            results.append(_run(db, args.profile if last else "", args.digest if last else ""))
    names = list(results[0]["parts"])
    print(f"load_demo, {args.runs} run(s): min / median wall s, CPU s, SQL statements")
    rows = [("TOTAL", [r["total"] for r in results])]
    rows += [(name, [r["parts"][name] for r in results]) for name in names]
    rows[1:] = sorted(rows[1:], key=lambda r: -statistics.median(v[0] for v in r[1]))
    for name, values in rows:
        wall = [v[0] for v in values]
        cpu = [v[1] for v in values]
        print(
            f"{name:24} {min(wall):7.2f} / {statistics.median(wall):7.2f}   "
            f"{statistics.median(cpu):7.2f}   {int(statistics.median(v[2] for v in values)):>8}"
        )
    if args.digest and args.compare:
        before = json.loads(Path(args.compare).read_text())
        after = json.loads(Path(args.digest).read_text())
        differ = _compare(before, after)
        tables = sum(1 for label in after if label.count(".") == 1)
        print(f"{len(differ)} of {len(after)} tables and columns differ from {args.compare}")
        print(f"({tables} tables)")
        print("\n".join(differ))
    return 0
