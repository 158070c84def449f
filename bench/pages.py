"""``python -m bench pages [--database FILE] [--scale 10] [--runs 3]`` — the pages that
must stay flat whatever the district's size (issue 18: each role's home, the district map
and its data, the big screen and its data, the KPI charts): their SQL statements and wall
time on the demo city, then on a copy where every demo project is multiplied SCALE times
(with its team, its lights and its funds), the two measured in the same run.

The demo database is made once (``migrate`` + ``load_demo`` into a temporary file, a few
minutes) unless ``--database`` names an existing demo database; the scaled copy is a
separate file, so the given database is never changed.

    python -m bench pages --database /tmp/lead.sqlite3 --scale 10

It prints one row per (user, page): statements at 1× and at SCALE×, and the median wall time
of each with their ratio.
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

ROOT = Path(__file__).resolve().parent.parent

# (demo user, URL name, query string): what each role opens first, and the drawn pages.
PAGES = [
    ("bureau", "home", ""),
    ("supervisor", "home", ""),
    ("department", "home", ""),
    ("leader", "home", ""),
    ("park", "home", ""),
    ("service_center", "home", ""),
    ("city", "home", ""),
    ("admin", "home", ""),
    ("bureau", "monitoring:map", ""),
    ("bureau", "monitoring:map_data", ""),
    ("bureau", "screen", ""),
    ("bureau", "screen_data", ""),
    ("city", "screen", ""),
    ("bureau", "kpis:charts", ""),
    ("bureau", "kpis:trends", ""),
    ("bureau", "agreements:key_gantt", ""),
    ("supervisor", "reports:rankings", ""),
]

_CHILD = r"""
import json, os, statistics, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from zhaoshang.org.models import User

pages, runs = json.loads(sys.argv[1]), int(sys.argv[2])
out = []
clients = {}
for username, name, query in pages:
    try:
        url = reverse(name) + (("?" + query) if query else "")
    except NoReverseMatch:
        out.append([username, name, None, None, None]); continue
    client = clients.get(username)
    if client is None:
        client = clients[username] = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        client.get(reverse("home"))  # warm: session, caches, imports
    client.get(url)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
    out.append([username, name, response.status_code, len(ctx.captured_queries), statistics.median(times)])
print(json.dumps(out))
"""

_SCALE = r"""
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.db import transaction
from django.db.models import F
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.worst import restore_districts
from zhaoshang.projects.models import FundsEntry, Project, ProjectTeamMember

scale = int(sys.argv[1])
with transaction.atomic():
    originals = list(Project.objects.all())
    for copy_no in range(1, scale):
        clones = []
        for p in originals:
            clone = Project(**{f.attname: getattr(p, f.attname) for f in Project._meta.concrete_fields if not f.primary_key})
            clone.code = f"{p.code}-{copy_no}"[:20]
            clone.name = f"{p.name}（{copy_no}）"[:120]
            clones.append(clone)
        Project.objects.bulk_create(clones, batch_size=500)
        pairs = dict(zip((p.pk for p in originals), (c.pk for c in clones)))
        for model in (ProjectTeamMember, FundsEntry, Signal):
            rows = []
            found = model.objects.filter(project_id__in=pairs)
            if model is Signal:  # the projects' own lights (a case's light needs its case)
                found = found.filter(object_id=F("project_id"))
            for row in found:
                values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
                values["project_id"] = pairs[row.project_id]
                if model is Signal:
                    values["object_id"] = pairs[row.project_id]
                rows.append(model(**values))
            model.objects.bulk_create(rows, batch_size=500)
    # the copies' stored lights are their own signals' (a copy's case lights are not copied)
    restore_districts()
print(Project.objects.count())
"""


def _run(code: str, database: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


def manage(database_url: str, *commands: list[str], env: dict | None = None) -> None:
    """Run ``manage.py`` commands, one after the other, on ``database_url`` (their output
    dropped; a failure raises)."""
    env = {**(env if env is not None else os.environ), "DATABASE_URL": database_url}
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def demo_database(workdir: Path, env: dict | None = None) -> Path:
    """A new demo database (``migrate`` + ``load_demo``, a minute or more) in ``workdir``."""
    database = workdir / "demo.sqlite3"
    manage(f"sqlite:///{database}", ["migrate", "-v0"], ["load_demo"], env=env)
    return database


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--database", type=Path, help="an existing demo database (SQLite file)")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base = args.database or demo_database(workdir)
        scaled = workdir / "scaled.sqlite3"
        shutil.copyfile(base, scaled)
        projects = _run(_SCALE, scaled, str(args.scale))
        pages = json.dumps(PAGES)
        small = json.loads(_run(_CHILD, base, pages, str(args.runs)))
        large = json.loads(_run(_CHILD, scaled, pages, str(args.runs)))
    print(f"projects: demo → {projects} at {args.scale}×")
    print(
        f"{'user':<15}{'page':<22}{'status':>7}{'queries 1×':>12}{'queries ' + str(args.scale) + '×':>13}"
        f"{'ms 1×':>9}{'ms ' + str(args.scale) + '×':>9}{'ratio':>7}"
    )
    for (user, name, status, q1, t1), (_u, _n, _s, q10, t10) in zip(small, large, strict=True):
        if status is None:
            print(f"{user:<15}{name:<22}{'(no route)':>7}")
            continue
        ratio = t10 / t1 if t1 else float("nan")
        print(
            f"{user:<15}{name:<22}{status:>7}{q1:>12}{q10:>13}{t1 * 1000:>9.0f}{t10 * 1000:>9.0f}{ratio:>7.1f}"
        )
    return 0
