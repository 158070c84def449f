"""``python -m bench grow [--projects 50000] [--database FILE] [--runs 3]`` — issue 19
point 3, "flat with size": the pages of every role (each home, the project list and a
project, the department worklist, the lights board, the supervision board, the KPI page,
the API lists) measured on the demo city, then on a copy where one district (the bureau
user's) is grown to PROJECTS projects in bulk, the two measured in the same run.

The grown projects are copies of the district's demo projects taken in turn (so the spread
of stages, conditions, parks and dates stays the demo's), each with a copy of its
enterprise (a district's enterprises grow with its projects), its team, its funds, its
approval cases, its own lights (signals), its exit warnings and its own events (the event
log's; a breach, one per obligation, is not copied: the breaches' list stays the demo's). The demo database is made once (``migrate`` +
``load_demo``, a few minutes) unless ``--database`` names one; the grown copy is a separate
file, so the given database is never changed. ``--grown FILE`` keeps the grown copy: reused
(migrated in place) when the file exists, else grown there from the demo database, so that a
measurement after the first takes minutes; ``--only USER:PAGE`` measures those pages alone.

    python -m bench grow --database /tmp/flat.sqlite3 --projects 50000
    python -m bench grow --database /tmp/flat.sqlite3 --grown /tmp/grown.sqlite3 --only bureau:home

``--postgres URL`` measures the same on PostgreSQL (the database's name must contain
``bench``): ``<name>_demo``, the demo city (``migrate`` + ``load_demo``), and
``<name>_grown``, a copy of it (``CREATE DATABASE … TEMPLATE``) grown as above, both made
once and kept (``--drop``: dropped afterwards), migrated to this tree and vacuumed and
analysed before they are measured (a server without autovacuum would leave the grown rows'
statistics and visibility unknown). Each page is measured at both sizes in turn, by two
processes kept open, ``--rounds N`` times (2 unless given), and its least median kept: a
shared machine's load falls on both sizes of a page alike. On PostgreSQL the server's time
is in the wall time, not the process's CPU.

    python -m bench grow --postgres postgres://postgres@127.0.0.1:5432/bench_grow --rounds 2

It prints one row per (user, page): the median wall time and CPU time (the process's: the
test client's request and SQLite's work, not what other processes on a shared machine
take) of RUNS requests through Django's test client (logged in as the demo user; every
page built, ``PAGE_CACHE=0``: no kept copy of core.pagecache is served), the
least CPU time's ratio, and the response's size, at demo size and grown, with their
ratios; a page above 2× (the issue's bound: both its wall and CPU ratios, or its size's)
is flagged with ``!``.
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

from bench.pages import ROOT, _run, demo_database, manage

# (demo user, URL name, argument): argument "project" is a project of the user's district
# that exists at both sizes (the district's first demo project).
PAGES = [
    ("bureau", "home", None),
    ("supervisor", "home", None),
    ("department", "home", None),
    ("leader", "home", None),
    ("park", "home", None),
    ("service_center", "home", None),
    ("city", "home", None),
    ("bureau", "projects:list", None),
    # the registry's search: a common term (its heading counts 1,000 matches and stops) and a
    # rare one (read off the trigram index)
    ("bureau", "projects:list", "?q=%E7%94%B5"),
    ("bureau", "projects:list", "?q=2024"),
    # two characters of one demo enterprise's name (豫丰面业): a Chinese name's usual search,
    # read off the short terms' index (one project at the demo's size, its ~400 copies grown)
    ("bureau", "projects:list", "?q=%E8%B1%AB%E4%B8%B0"),
    # a character of 3 of the demo district's 120 projects (鑫), of 1,250 of the 50,000 grown:
    # too few for a walk to the registry's 1,000th match to stop early, read off the index
    ("bureau", "projects:list", "?q=%E9%91%AB"),
    ("department", "projects:list", None),
    ("park", "projects:list", None),
    ("bureau", "projects:detail", "project"),
    ("department", "approvals:worklist", None),
    ("bureau", "approvals:worklist", None),
    ("bureau", "monitoring:board", None),
    ("supervisor", "meetings:board", None),
    ("bureau", "kpis:index", None),
    ("bureau", "api:project-list", None),
    # the API's list searched: by a term nearly every project holds (有限公司), a common
    # character (电) and a rarer one (鑫); its count is every match's (the fixed interface).
    # Each on a page the demo district's matches fill (电 24, 鑫 3: the default page of 50
    # would compare 24 or 3 rows with 50 — the page filling, not the list growing)
    ("bureau", "api:project-list", "?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8"),
    ("bureau", "api:project-list", "?q=%E7%94%B5&page_size=20"),
    ("bureau", "api:project-list", "?q=%E9%91%AB&page_size=3"),
    ("bureau", "api:approval-case-list", None),
    ("bureau", "api:enterprise-list", None),
    ("bureau", "api:kpi-list", None),
    # a name's character that 24 of the demo district's 120 projects have (电: 电子, 电池 …):
    # the list of 20 is full at both sizes (园 matched 7 at the demo's size, so the size
    # compared 7 entries with 20 — the list filling, not growing with the district)
    ("bureau", "projects:autocomplete", "?q=%E7%94%B5"),
    # a term few projects match (the copies' codes lack it): the list never fills, and the
    # search reads every project of the district (not flat: docs/scaling.md)
    ("bureau", "projects:autocomplete", "?q=2024"),
    ("bureau", "projects:autocomplete", "?q=%E8%B1%AB%E4%B8%B0"),
    # a pinyin's first letter, as a user's first keystroke sends it: in most names (the list
    # full at both sizes), its common check read off the indexes (``search.zs_seek``)
    ("bureau", "projects:autocomplete", "?q=d"),
    ("bureau", "projects:list", "?q=d"),
    ("bureau", "exits:list", None),
    # a page of 25, as the exits desk shows them: the demo district's 27 warnings fill it
    # (the API's default page of 50 would compare 27 rows with 50 — the page filling, not
    # the list growing with the district)
    ("bureau", "api:warning-list", "?page_size=25"),
    ("admin", "admin:exits_exitwarning_changelist", None),
    ("admin", "admin:core_domainevent_changelist", None),
    ("admin", "admin:agreements_obligationbreach_changelist", None),
]

# Every request builds its page: no kept page (core.pagecache) is served, whatever the
# environment says — a kept copy would measure the cache, not the page's cost.
_MEASURE = r"""
import json, os, statistics, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
os.environ["PAGE_CACHE"] = "0"
django.setup()
from django.conf import settings
assert not settings.PAGE_CACHE, "the pages must be built, not served kept"
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

clients = {}


def backend_cpu():
    # CPU seconds of this process's PostgreSQL backend (a server on this machine: /proc);
    # None on SQLite (its work is this process's) or another machine's server.
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(pages, runs):
    out = []
    for username, name, arg in pages:
        user = User.objects.get(username=username)
        try:
            if arg == "project":
                pk = Project.objects.filter(district_id=user.district_id).order_by("id").values_list("pk", flat=True).first()
                url = reverse(name, args=[pk])
            else:
                query = arg if (arg or "").startswith("?") else ""
                url = reverse(name) + query
        except NoReverseMatch:
            out.append([username, name, None, None, None, None, None, None, None]); continue
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            client.get(reverse("home"))  # warm: session, caches, imports
        def get():
            response = client.get(url)
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            else:
                body = response.content
            return response.status_code, len(body)
        get()
        times, cpu = [], []
        pg_before = backend_cpu()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                status, size = get()
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        pg_after = backend_cpu()
        # The backend's CPU per request: its mean over the runs (/proc counts in ticks of 10 ms).
        pg = (pg_after[1] - pg_before[1]) / runs if pg_before and pg_after and pg_after[0] == pg_before[0] else None
        out.append([username, name, status, len(ctx.captured_queries), statistics.median(times), size,
                    statistics.median(cpu), min(cpu), pg])
    return out


if sys.argv[1] == "-":
    # interleaved (``_interleaved``): a page list per line in, its figures per line out
    for line in sys.stdin:
        pages, runs = json.loads(line)
        print(json.dumps(measure(pages, runs)), flush=True)
else:
    print(json.dumps(measure(json.loads(sys.argv[1]), int(sys.argv[2]))))
"""

_GROW = r"""
import itertools, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.db import transaction
from django.db.models import F
from zhaoshang.approvals.models import ApprovalCase
from django.contrib.contenttypes.models import ContentType
from zhaoshang.core.models import DomainEvent
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.exits.models import ExitWarning
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.worst import restore_districts
from zhaoshang.org.models import User
from zhaoshang.projects.models import FundsEntry, Project, ProjectTeamMember

target = int(sys.argv[1])
district_id = User.objects.get(username="bureau").district_id


def copy(row, **changes):
    values = {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if not f.primary_key}
    values.update(changes)
    return type(row)(**values)


with transaction.atomic():
    originals = list(Project.objects.filter(district_id=district_id).order_by("id"))
    missing = target - len(originals)
    enterprises = Enterprise.objects.in_bulk({p.enterprise_id for p in originals if p.enterprise_id})
    sources = list(itertools.islice(itertools.cycle(originals), max(missing, 0)))
    new_enterprises = [
        copy(enterprises[p.enterprise_id], name=f"{enterprises[p.enterprise_id].name}（{n}）"[:120],
             credit_code=f"9G{n:016d}")
        if p.enterprise_id else None
        for n, p in enumerate(sources, 1)
    ]
    Enterprise.objects.bulk_create([e for e in new_enterprises if e], batch_size=1000)
    clones = []
    for n, (p, e) in enumerate(zip(sources, new_enterprises), 1):
        clones.append(copy(p, code=f"G{n:07d}", name=f"{p.name}（{n}）"[:120],
                           enterprise_id=e.pk if e else None))
    Project.objects.bulk_create(clones, batch_size=1000)
    by_original = {}
    for p, c in zip(sources, clones):
        by_original.setdefault(p.pk, []).append(c.pk)
    for model in (ProjectTeamMember, FundsEntry, ApprovalCase, Signal, ExitWarning):
        found = model.objects.filter(project_id__in=by_original)
        if model is Signal:  # the projects' own lights (a case's light needs its case)
            found = found.filter(object_id=F("project_id"))
        found = list(found)
        rows = []
        for new_pks in itertools.zip_longest(*[by_original[r.project_id] for r in found]):
            for row, pk in zip(found, new_pks):
                if pk is None:
                    continue
                extra = {"object_id": pk} if model is Signal else {}
                rows.append(copy(row, project_id=pk, **extra))
                if len(rows) >= 5000:
                    model.objects.bulk_create(rows, batch_size=1000)
                    rows = []
        model.objects.bulk_create(rows, batch_size=1000)
    # the projects' own events (their log, the district's event log in the admin)
    found = list(DomainEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Project), object_id__in=by_original))
    rows = []
    for event in found:
        for pk in by_original[event.object_id]:
            rows.append(copy(event, object_id=pk))
            if len(rows) >= 5000:
                DomainEvent.objects.bulk_create(rows, batch_size=1000)
                rows = []
    DomainEvent.objects.bulk_create(rows, batch_size=1000)
    # the copies' stored lights are their own signals' (a copy's case lights are not copied)
    restore_districts([district_id])
print(Project.objects.filter(district_id=district_id).count())
"""

_COUNT = r"""
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

district_id = User.objects.get(username="bureau").district_id
print(Project.objects.filter(district_id=district_id).count())
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench grow")
    parser.add_argument("--database", type=Path, help="an existing demo database (SQLite file)")
    parser.add_argument("--projects", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--grown",
        type=Path,
        help="the grown copy (SQLite file): reused when it exists (it must have been grown to"
        " --projects), else grown there and kept",
    )
    parser.add_argument(
        "--only", action="append", metavar="USER:PAGE", help="measure these pages alone"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="measure on PostgreSQL: <name>_demo and <name>_grown, made once and kept",
    )
    parser.add_argument("--drop", action="store_true", help="--postgres: drop both afterwards")
    parser.add_argument(
        "--rounds", type=int, default=2, help="each page measured at both sizes in turn N times"
    )
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if not args.only or f"{p[0]}:{p[1]}" in args.only]
    if not pages:
        parser.error("--only names no page of the list")
    if args.postgres:
        if "bench" not in args.postgres.rsplit("/", 1)[-1]:
            parser.error("--postgres: the database's name must contain 'bench'")
        projects, small, large = _postgres(args, pages)
        return _report(args, projects, small, large)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base = workdir / "demo.sqlite3"
        if args.database:
            shutil.copyfile(args.database, base)
        else:
            demo_database(workdir)
        manage(f"sqlite:///{base}", ["migrate", "-v0"])  # this checkout's migrations, on the copy
        grown = args.grown or workdir / "grown.sqlite3"
        if grown.exists():
            manage(f"sqlite:///{grown}", ["migrate", "-v0"])
            projects = _run(_COUNT, grown)
        else:  # grown under another name first: a failed growth leaves no file to reuse
            partial = grown.with_name(grown.name + ".partial")
            shutil.copyfile(base, partial)
            projects = _run(_GROW, partial, str(args.projects))
            partial.replace(grown)
        small, large = _interleaved(
            args.rounds, f"sqlite:///{base}", f"sqlite:///{grown}", pages, args.runs
        )
    return _report(args, projects, small, large)


def _interleaved(rounds: int, small_url: str, large_url: str, pages: list, runs: int):
    """Both sizes measured page by page in turn, by two processes kept open (one on each
    database): a page's runs at the demo's size, then at the grown one's (the other way
    round every other round), ``rounds`` times. A shared machine's load then falls on both
    sizes of a page alike; measured size after size, minutes apart, a page's two figures
    could straddle a swing of the machine's speed (2026-12-07: the same page 0.9× and
    2.2× in two runs). Each page's row is that of its least median time (its CPU figures
    the least of the rounds' too)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _MEASURE, "-"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": url},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for url in (small_url, large_url)
    ]

    def ask(proc, page) -> list:
        proc.stdin.write(json.dumps([[page], runs]) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            sys.exit(f"the measuring process on {page} ended (exit {proc.wait()})")
        return json.loads(line)[0]

    smalls, larges = [], []
    try:
        for page in pages:
            found = ([], [])
            for n in range(max(rounds, 1)):
                for size in (0, 1) if n % 2 == 0 else (1, 0):
                    found[size].append(ask(procs[size], page))
            smalls.append(_least([[row] for row in found[0]])[0])
            larges.append(_least([[row] for row in found[1]])[0])
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait()
    return smalls, larges


def _least(measured: list[list]) -> list:
    rows = []
    for same in zip(*measured, strict=True):
        timed = [row for row in same if row[2] is not None]
        if not timed:
            rows.append(same[0])
            continue
        best = list(min(timed, key=lambda row: row[4]))
        best[6] = min(row[6] for row in timed)
        best[7] = min(row[7] for row in timed)
        rows.append(best)
    return rows


def _postgres(args, pages: list) -> tuple[str, list, list]:
    """``--postgres``: the demo city and its grown copy on PostgreSQL, each made once (and
    kept unless ``--drop``), migrated, vacuumed and analysed, then measured in turn (with
    ``bench.province``'s helpers for the server and the child processes)."""
    from types import SimpleNamespace
    from urllib.parse import urlsplit, urlunsplit

    from bench.province import _admin, _child, _exists

    parts = urlsplit(args.postgres)
    name = parts.path.lstrip("/")
    url = {kind: urlunsplit(parts._replace(path=f"/{name}_{kind}")) for kind in ("demo", "grown")}
    server = SimpleNamespace(
        admin_url=urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    )
    if not _exists(server, f"{name}_demo"):
        print(f"making the demo city in {name}_demo (migrate + load_demo)…", flush=True)
        _admin(server, f'CREATE DATABASE "{name}_demo"')
        manage(url["demo"], ["migrate", "-v0"], ["load_demo"])
    else:
        manage(url["demo"], ["migrate", "-v0"])
    if not _exists(server, f"{name}_grown"):
        print(f"growing the bureau's district to {args.projects} in {name}_grown…", flush=True)
        _admin(server, f'CREATE DATABASE "{name}_grown" TEMPLATE "{name}_demo"')
        _child(url["grown"], _GROW, str(args.projects))
    else:
        manage(url["grown"], ["migrate", "-v0"])
    projects = _child(url["grown"], _COUNT)
    for kind in ("demo", "grown"):
        _admin(
            SimpleNamespace(admin_url=url[kind].replace("postgres://", "postgresql://", 1)),
            "VACUUM ANALYZE",
        )
    try:
        small, large = _interleaved(args.rounds, url["demo"], url["grown"], pages, args.runs)
    finally:
        if args.drop:
            _admin(server, f'DROP DATABASE IF EXISTS "{name}_grown"')
            _admin(server, f'DROP DATABASE IF EXISTS "{name}_demo"')
    return projects, small, large


def _report(args, projects, small: list, large: list) -> int:
    n = args.projects
    print(
        f"the bureau's district grown to {projects} projects; median of {args.runs} runs, the"
        f" least of {max(args.rounds, 1)} rounds, each page at both sizes in turn (CPU: the"
        " process's, SQLite's included; min: the least of the runs)"
        + (
            "; PostgreSQL: read the wall time (ms), the server's work is not the process's"
            if args.postgres
            else ""
        )
    )
    print(
        f"{'user':<15}{'page':<26}{'status':>7}{'SQL 1×':>7}{'SQL ' + str(n):>10}"
        f"{'ms 1×':>8}{'ms ' + str(n):>10}{'×':>6}{'CPU 1×':>8}{'CPU ' + str(n):>10}{'×':>6}"
        f"{'min ×':>7}{'kB 1×':>8}{'kB ' + str(n):>10}{'×':>6}"
    )
    worse = []
    for (user, name, status, q1, t1, s1, c1, m1, _p1), (
        _u,
        _n,
        s2_status,
        q2,
        t2,
        s2,
        c2,
        m2,
        _p2,
    ) in zip(small, large, strict=True):
        if status is None:
            print(f"{user:<15}{name:<26}{'(no route)':>7}")
            continue
        time_ratio = t2 / t1 if t1 else float("nan")
        cpu_ratio = c2 / c1 if c1 else float("nan")
        min_ratio = m2 / m1 if m1 else float("nan")
        size_ratio = s2 / s1 if s1 else float("nan")
        flag = "!" if min(time_ratio, cpu_ratio) > 2 or size_ratio > 2 else ""
        if flag:
            worse.append(f"{user} {name}")
        print(
            f"{user:<15}{name:<26}{status:>4}/{s2_status:<3}{q1:>6}{q2:>10}{t1 * 1000:>8.0f}"
            f"{t2 * 1000:>10.0f}{time_ratio:>6.1f}{c1 * 1000:>8.0f}{c2 * 1000:>10.0f}"
            f"{cpu_ratio:>6.1f}{min_ratio:>7.1f}{s1 / 1024:>8.1f}{s2 / 1024:>10.1f}"
            f"{size_ratio:>6.1f}{flag}"
        )
    print("above 2× at", n, ":", ", ".join(worse) if worse else "none")
    return 0
