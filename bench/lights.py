"""``python -m bench lights [--database FILE] [--projects 50000] [--runs 5] [--before REV]``
— issue 19 point 3, "a stored and indexed rank for the lights": the lights board
(``monitoring:board``) and the supervision board (``meetings:board``) before and after the
stored rank, at demo size and with one district (the bureau user's) grown to PROJECTS
projects, the four measured in the same run.

- after: this checkout, on the demo database migrated by it (``Signal.rank``,
  ``ActionItem.bucket`` and their indexes) and on a grown copy;
- before: the code of REV (by default the commit before ``Signal.rank`` was added),
  extracted with ``git archive`` into a temporary directory, on copies of the same two
  databases migrated back to before the rank (so without its columns and indexes).

The grown projects are copies of the district's demo projects taken in turn, each with its
own lights (the progress signals) and its action items with their lights. The demo
database is made once (``migrate`` + ``load_demo``, several minutes) unless ``--database``
names one; every database measured is a copy, so the given one is never changed.

    python -m bench lights --database /tmp/lights.sqlite3 --projects 50000

It prints one row per (user, page, size): statements, the min and median wall time of RUNS
requests through Django's test client and the response's size, before and after, with
after/before ratios; then the growth ratio (grown/demo) of each; then the query plan
(SQLite's EXPLAIN QUERY PLAN) and time of each board's page query, before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.pages import ROOT, demo_database

# the migrations before the rank and the bucket (``before`` is migrated back to them)
BEFORE_MIGRATIONS = [
    ("monitoring", "0005_cleanup_subject"),
    ("meetings", "0002_clock_timestamps_versioned"),
]
RANK_MIGRATION = "zhaoshang/monitoring/migrations/0006_signal_rank.py"

# (demo user, URL name, query string)
PAGES = [
    ("bureau", "monitoring:board", ""),
    ("supervisor", "monitoring:board", ""),
    ("supervisor", "monitoring:board", "light=yellow"),
    ("supervisor", "monitoring:board", "page=3"),
    ("city", "monitoring:board", ""),
    ("supervisor", "meetings:board", ""),
    ("bureau", "meetings:board", ""),
    ("supervisor", "meetings:board", "sort=days_left"),
    ("supervisor", "meetings:board", "status=closed"),
]

_MEASURE = r"""
import json, os, statistics, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from zhaoshang.org.models import User

pages, runs = json.loads(sys.argv[1]), int(sys.argv[2])
TABLES = ('"monitoring_signal"', '"meetings_actionitem"')


def plan_of(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[-1] for row in cursor.fetchall()]


def timed(sql, n=5):
    best = None
    for _ in range(n):
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best


out, clients = [], {}
for username, name, query in pages:
    url = reverse(name) + ("?" + query if query else "")
    client = clients.get(username)
    if client is None:
        client = clients[username] = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        client.get(reverse("home"))  # warm: session, caches, imports
    client.get(url)
    times, cpu = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    queries = []
    for q in ctx.captured_queries:
        sql = q["sql"]
        if sql.startswith("SELECT") and any(t in sql for t in TABLES):
            queries.append({"sql": sql, "ms": timed(sql) * 1000, "plan": plan_of(sql)})
    out.append({
        "status": response.status_code,
        "statements": len(ctx.captured_queries),
        "min": min(times),
        "median": statistics.median(times),
        "cpu": min(cpu),
        "cpu_median": statistics.median(cpu),
        "size": len(response.content),
        "queries": queries,
    })
print(json.dumps(out))
"""

_GROW = r"""
import itertools, json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from zhaoshang.meetings.models import ActionItem
from zhaoshang.monitoring.models import Signal
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

target = int(sys.argv[1])
district_id = User.objects.get(username="bureau").district_id
item_type = ContentType.objects.get_for_model(ActionItem)


def copy(row, **changes):
    meta = type(row)._meta
    values = {f.attname: getattr(row, f.attname) for f in meta.concrete_fields
              if not f.primary_key and not f.generated}
    values.update(changes)
    return type(row)(**values)


def bulk(model, rows):
    for i in range(0, len(rows), 5000):
        model.objects.bulk_create(rows[i:i + 5000], batch_size=500)


with transaction.atomic():
    originals = list(Project.objects.filter(district_id=district_id).order_by("id"))
    sources = list(itertools.islice(itertools.cycle(originals), max(target - len(originals), 0)))
    clones = [copy(p, code=f"L{n:07d}", name=f"{p.name}（{n}）"[:120]) for n, p in enumerate(sources, 1)]
    bulk(Project, clones)
    by_original = {}
    for p, c in zip(sources, clones):
        by_original.setdefault(p.pk, []).append(c.pk)
    # the projects' own lights (object_id is the project)
    own = list(Signal.objects.filter(project_id__in=by_original, object_id=F("project_id")))
    bulk(Signal, [copy(s, project_id=pk, object_id=pk) for s in own for pk in by_original[s.project_id]])
    # the projects' action items, and the lights of those items
    items = list(ActionItem.objects.filter(project_id__in=by_original))
    lights = {s.object_id: s for s in Signal.objects.filter(content_type=item_type, object_id__in=[i.pk for i in items])}
    serial = itertools.count(1)
    new_items, pairs = [], []
    for item in items:
        for pk in by_original[item.project_id]:
            new = copy(item, project_id=pk, number=f"L{next(serial):07d}")
            new_items.append(new)
            pairs.append((item.pk, new))
    bulk(ActionItem, new_items)
    bulk(Signal, [copy(lights[old], project_id=new.project_id, object_id=new.pk)
                  for old, new in pairs if old in lights])
print(json.dumps({
    "projects": Project.objects.filter(district_id=district_id).count(),
    "signals": Signal.objects.filter(district_id=district_id).count(),
    "action_items": ActionItem.objects.filter(district_id=district_id).count(),
}))
"""


def _env(database: Path, code: Path) -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(code)}


def _run(code: str, database: Path, tree: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=tree,
        env=_env(database, tree),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


def _manage(database: Path, *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command, "-v0"],
        cwd=ROOT,
        env=_env(database, ROOT),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _back(database: Path) -> None:
    """Migrate a copy back to before the rank (its columns and indexes go)."""
    for app, name in BEFORE_MIGRATIONS:
        _manage(database, "migrate", app, name)


def _before_revision(given: str | None) -> str:
    if given:
        return given
    added = subprocess.run(
        ["git", "log", "--format=%H", "--diff-filter=A", "-1", "--", RANK_MIGRATION],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{added}^" if added else "HEAD"


def _extract(revision: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lights")
    parser.add_argument("--database", type=Path, help="a demo database (SQLite file)")
    parser.add_argument("--projects", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="the revision measured as before (git)")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the databases in this folder (and take them from there the next time)",
    )
    args = parser.parse_args(argv)
    revision = _before_revision(args.before)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        small = workdir / "after-demo.sqlite3"
        grown = workdir / "after-grown.sqlite3"
        sizes_file = workdir / "grown.json"
        if args.keep and sizes_file.exists():  # a kept run: its databases as they were
            sizes = json.loads(sizes_file.read_text())
        else:
            if args.database:
                shutil.copyfile(args.database, small)
            else:
                shutil.move(demo_database(workdir), small)
            _manage(small, "migrate")  # this checkout's migrations, on the copy
            shutil.copyfile(small, grown)
            sizes = json.loads(_run(_GROW, grown, ROOT, str(args.projects)))
            sizes_file.write_text(json.dumps(sizes))
        for database in (small, grown):  # this checkout's migrations (a kept run's too)
            _manage(database, "migrate")
        before = {}
        for label, source in (("demo", small), ("grown", grown)):
            before[label] = workdir / f"before-{label}.sqlite3"
            shutil.copyfile(source, before[label])
            _back(before[label])
        old = Path(tmp) / "before-code"
        old.mkdir()
        _extract(revision, old)
        pages = json.dumps(PAGES)
        runs = str(args.runs)
        results = {
            ("before", "demo"): _run(_MEASURE, before["demo"], old, pages, runs),
            ("after", "demo"): _run(_MEASURE, small, ROOT, pages, runs),
            ("before", "grown"): _run(_MEASURE, before["grown"], old, pages, runs),
            ("after", "grown"): _run(_MEASURE, grown, ROOT, pages, runs),
        }
    r = {key: json.loads(value) for key, value in results.items()}
    print(f"before: {revision}; the bureau's district grown to {sizes}; {args.runs} runs each")
    print(
        f"{'user':<11}{'page':<18}{'query':<15}{'size':<6}{'SQL b/a':>8}"
        f"{'ms min b':>9}{'ms min a':>9}{'ms med b':>9}{'ms med a':>9}{'a/b':>6}"
        f"{'kB b':>7}{'kB a':>7}"
    )
    for i, (user, name, query) in enumerate(PAGES):
        for size in ("demo", "grown"):
            b, a = r[("before", size)][i], r[("after", size)][i]
            assert b["status"] == a["status"] == 200, (user, name, query, b["status"], a["status"])
            print(
                f"{user:<11}{name:<18}{query or '-':<15}{size:<6}"
                f"{b['statements']:>4}/{a['statements']:<3}"
                f"{b['min'] * 1000:>9.1f}{a['min'] * 1000:>9.1f}"
                f"{b['median'] * 1000:>9.1f}{a['median'] * 1000:>9.1f}"
                f"{_ratio(a['median'], b['median']):>6}"
                f"{b['size'] / 1024:>7.1f}{a['size'] / 1024:>7.1f}"
            )
    print(
        "\nCPU time of the request (SQLite runs in the process: steadier than wall time on a busy machine)"
    )
    print(
        f"{'user':<11}{'page':<18}{'query':<15}{'size':<6}{'cpu min b':>10}{'cpu min a':>10}{'a/b':>6}"
    )
    for i, (user, name, query) in enumerate(PAGES):
        for size in ("demo", "grown"):
            b, a = r[("before", size)][i], r[("after", size)][i]
            print(
                f"{user:<11}{name:<18}{query or '-':<15}{size:<6}"
                f"{b['cpu'] * 1000:>10.1f}{a['cpu'] * 1000:>10.1f}{_ratio(a['cpu'], b['cpu']):>6}"
            )
    print("\ngrowth (grown / demo: min time, median time, size)")
    print(
        f"{'user':<11}{'page':<18}{'query':<15}{'min b×':>9}{'min a×':>9}{'med b×':>9}{'med a×':>9}"
        f"{'cpu b×':>9}{'cpu a×':>9}"
        f"{'size b×':>9}{'size a×':>9}"
    )
    for i, (user, name, query) in enumerate(PAGES):
        cells = []
        for stat in ("min", "median", "cpu"):
            for state in ("before", "after"):
                grown_t, demo_t = r[(state, "grown")][i][stat], r[(state, "demo")][i][stat]
                cells.append(_ratio(grown_t, demo_t))
        for state in ("before", "after"):
            cells.append(_ratio(r[(state, "grown")][i]["size"], r[(state, "demo")][i]["size"]))
        print(f"{user:<11}{name:<18}{query or '-':<15}" + "".join(f"{c:>9}" for c in cells))
    print(
        "\nthe boards' statements on the grown district (min of 5 executions, EXPLAIN QUERY PLAN)"
    )
    for i, (user, name, query) in enumerate(PAGES):
        if (user, query) != ("supervisor", ""):
            continue
        for state in ("before", "after"):
            print(f"\n== {state}: {user} {name}")
            for q in r[(state, "grown")][i]["queries"]:
                sql = q["sql"]
                short = sql if len(sql) < 400 else sql[:250] + " … " + sql[-140:]
                print(f"-- {q['ms']:.1f} ms: {short}")
                for line in q["plan"]:
                    print(f"     {line}")
    return 0
