"""``python -m bench demo [--runs N] [--profile FILE]`` — ``load_demo`` on a fresh SQLite
database, part by part: wall time, CPU time and SQL statements of each part of the demo
builder, min/median over the runs. Each run migrates a new database file once (copied for
the later runs) in a child process, so the runs are alike and nothing of the developer's
database is touched.

    python -m bench demo --runs 3
    python -m bench demo --runs 1 --profile /tmp/demo.prof   # cProfile of the whole load
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
w, c = time.perf_counter(), time.process_time()
with connection.execute_wrapper(counter), open(os.devnull, "w") as out:
    if profile:
        cProfile.run("call_command('load_demo', stdout=out)", profile)
    else:
        call_command("load_demo", stdout=out)
total = [time.perf_counter() - w, time.process_time() - c, queries[0]]
print(json.dumps({"total": total, "parts": parts}))
"""


def _run(db: Path, profile: str) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONDONTWRITEBYTECODE": ""}
    env.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *([profile] if profile else [])],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench demo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="", help="write a cProfile of the (last) run here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "migrated.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        results = []
        for n in range(args.runs):
            db = Path(tmp) / f"run{n}.sqlite3"
            shutil.copy(template, db)
            results.append(_run(db, args.profile if n == args.runs - 1 else ""))
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
    return 0
