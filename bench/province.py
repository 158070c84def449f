"""``python -m bench province [--database URL] [--districts 100] [--projects 500000]
[--workers 1,4] [--runs 3] [--keep] [--regenerate]`` — issue 19 point 6, a province:
100 districts and 500,000 projects on PostgreSQL (docs/scaling.md).

Two databases, both named after ``--database`` (its name must contain ``bench``; never
``test``): ``<name>_demo`` is the demo city (``migrate`` + ``load_demo``, its districts
"demo" and "second"), and ``<name>`` is a copy of it (``CREATE DATABASE … TEMPLATE``) grown
to the province:

- the bureau user's district ("demo") grown to the province's average district by
  ``bench/grow.py``'s copier (its demo projects copied in turn, with their enterprises,
  teams, funds, approval cases and lights);
- the other districts generated like ``bench/scan.py``'s district — each project with three
  approval cases (a fifth overdue, a tenth due within a day) and an agreement with three
  obligations (about half past due) — a tenth as many enterprises as projects, ten
  departments, five parks; written with ``COPY`` (the rows' shared columns converted once
  by Django's own fields, only the varying ones per row), a few minutes in all.

Then, in the same run:

(d)  one generated district's daily scan (``daily_scan(today, district_ids=[id])``): the
     first run (only while that district was never scanned) and the later runs, against
     the plain statement that finds the same overdue set in that district;
(f)  the daily scan fanned out (``DAILY_SCAN_PER_DISTRICT``: the scheduler's job queues one
     ``ops.tasks.scan_district`` task per district on the database task backend) and run by
     N ``manage.py worker --burst`` processes: the wall time until every district is
     scanned, and the workers' CPU time; the first fan-out (while the province was never
     scanned) is reported apart;
(p)  the pages ``bench/grow.py`` measures, on the demo city, on ``<name>_one`` (the demo
     city with only the bureau's district grown to the average size: the district's own
     growth) and on the province (that district among 500,000 projects): statements, median
     time and size, their ratios; above 2× the demo is flagged. Every request builds its
     page (``PAGE_CACHE=0`` in the measuring process): the build's cost, not a kept copy's.

The harness runs the code of the tree it is in: while others edit the checkout, run it from
a clean copy of a commit (``git archive HEAD | tar -x -C /tmp/tree``, then ``cd /tmp/tree &&
/work/main/.venv/bin/python -m bench province``), or the workers import half-made changes.

The databases are dropped afterwards unless ``--keep``; a kept province is measured again by
the next run without being generated again (``--regenerate`` starts afresh), after the tree's
migrations.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.grow import _GROW, _MEASURE, PAGES
from bench.pages import manage
from bench.province_data import generate

ROOT = Path(__file__).resolve().parent.parent
META = "bench_province_meta"

# The overdue set of one district, as bench/scan.py's BASELINE finds it for the whole city.
DISTRICT_BASELINE = """
SELECT COUNT(*) FROM (
  SELECT id FROM approvals_approvalcase
   WHERE district_id = %s AND due_on < %s
     AND status IN ('pending','supplement','accepted','in_progress','reported')
  UNION ALL
  SELECT id FROM agreements_obligation
   WHERE district_id = %s AND due_on < %s AND confirmed_on IS NULL AND waived_on IS NULL
) overdue
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench province", description=__doc__)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_province")
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--projects", type=int, default=500_000, help="in the whole province")
    parser.add_argument("--workers", default="1,4", help="worker processes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep both databases")
    parser.add_argument("--regenerate", action="store_true", help="generate the province again")
    parser.add_argument("--skip", default="", help="parts to leave out: scan,fanout,pages")
    args = parser.parse_args(argv)
    parts = urlsplit(args.database)
    if parts.scheme not in ("postgres", "postgresql"):
        parser.error("the province is measured on PostgreSQL (postgres://…)")
    name = parts.path.lstrip("/")
    if "bench" not in name or name == "test":
        parser.error(f"refusing {args.database}: the database's name must contain 'bench'")
    args.name = name
    args.url = args.database
    args.demo_name = f"{name}_demo"
    args.demo_url = urlunsplit(parts._replace(path=f"/{args.demo_name}"))
    args.one_name = f"{name}_one"
    args.one_url = urlunsplit(parts._replace(path=f"/{args.one_name}"))
    args.admin_url = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    args.worker_counts = [int(n) for n in args.workers.split(",") if n.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.districts < 3 or args.projects < args.districts or args.runs < 1:
        parser.error("need at least 3 districts, a project per district and one run")
    return args


# --- the two databases -----------------------------------------------------------------------


def _admin(args, sql: str, *params):
    import psycopg

    with psycopg.connect(args.admin_url, autocommit=True) as c:
        cursor = c.execute(sql, params or None)
        return cursor.fetchall() if sql.startswith("SELECT") else None


def _exists(args, name: str) -> bool:
    return bool(_admin(args, "SELECT 1 FROM pg_database WHERE datname = %s", name))


def _meta(url: str) -> dict | None:
    """The generation's record in the database (None: not generated, or not to the end)."""
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as c:
            row = c.execute(f"SELECT value FROM {META} WHERE key = 'generated'").fetchone()
    except psycopg.Error:
        return None
    return json.loads(row[0]) if row else None


def _write_meta(value: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text)")
        cursor.execute(
            f"INSERT INTO {META} VALUES ('generated', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(value)],
        )


def demo_database(args) -> None:
    """``<name>_demo``: the demo city on PostgreSQL, made once (a few minutes)."""
    if _exists(args, args.demo_name) and _meta(args.demo_url):
        manage(args.demo_url, ["migrate", "-v0"])  # this tree's migrations
        return
    print(f"making the demo city in {args.demo_name} (migrate + load_demo)…", flush=True)
    _admin(args, f'DROP DATABASE IF EXISTS "{args.demo_name}"')
    _admin(args, f'CREATE DATABASE "{args.demo_name}"')
    manage(args.demo_url, ["migrate", "-v0"], ["load_demo"])
    _child(args.demo_url, _MARK_DEMO)


_MARK_DEMO = r"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
django.setup()
from django.db import connection
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS bench_province_meta (key text PRIMARY KEY, value text)")
    c.execute("INSERT INTO bench_province_meta VALUES ('generated', '{\"demo\": true}') ON CONFLICT DO NOTHING")
print("ok")
"""


def _child(url: str, code: str, *argv: str, env: dict | None = None) -> str:
    full = {**os.environ, **(env or {}), "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=ROOT, env=full, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


def province(args) -> dict:
    """The province's database: the kept one when it was generated to the end (and not
    ``--regenerate``), else a copy of the demo city grown to the province."""
    from django.db import connection

    meta = None if args.regenerate or not _exists(args, args.name) else _meta(args.url)
    if meta:
        print(f"reusing the province in {args.name} (generated {meta['generated_at']})")
        connection.close()
        manage(args.url, ["migrate", "-v0"])  # this tree's migrations
        demo_database(args)
        return meta
    demo_database(args)
    connection.close()
    started = time.perf_counter()
    _admin(args, f'DROP DATABASE IF EXISTS "{args.name}"')
    _admin(args, f'CREATE DATABASE "{args.name}" TEMPLATE "{args.demo_name}"')
    print(f"copied the demo city into {args.name} in {time.perf_counter() - started:.1f} s")
    from zhaoshang.core import clock
    from zhaoshang.org.models import District
    from zhaoshang.projects.models import Project

    average = args.projects // args.districts
    step = time.perf_counter()
    grown = _child(args.url, _GROW, str(average))
    print(
        f"the bureau's district grown to {grown} projects (bench/grow.py) in "
        f"{time.perf_counter() - step:.1f} s",
        flush=True,
    )
    existing, projects = District.objects.count(), Project.objects.count()
    new = args.districts - existing
    per_district = -(-(args.projects - projects) // new)
    today = clock.today()
    print(f"generating {new} districts of {per_district:,} projects…", flush=True)
    step = time.perf_counter()
    codes = generate(args, per_district, today)
    generation = time.perf_counter() - started
    print(f"generated in {time.perf_counter() - step:.1f} s ({generation:.1f} s in all)")
    meta = {
        "generated_at": clock.now().isoformat(timespec="seconds"),
        "today": today.isoformat(),
        "districts": District.objects.count(),
        "projects": Project.objects.count(),
        "per_district": per_district,
        "measured": codes["p001"],
        "seconds": round(generation, 1),
    }
    _write_meta(meta)
    return meta


def analyze_if_no_autovacuum() -> None:
    """What autovacuum would have done by now: the planner's statistics after bulk writes
    (the generation, a first scan: millions of signals, breaches, warnings). Without them a
    district's statement may be planned for the empty tables of before (a per-project
    subquery read 4,000 of its district's signals for each of 5,000 projects: 9 s)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return
        started = time.perf_counter()
        cursor.execute("ANALYZE")
    print(f"  (autovacuum is off on this server: ANALYZE, {time.perf_counter() - started:.1f} s)")


def _size(args) -> str:
    gib = _admin(args, "SELECT pg_database_size(%s)", args.name)[0][0] / 2**30
    return f"{gib:.2f} GiB"


def _backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend so far (the server is on this
    machine: /proc), so that the database's own work is counted beside Python's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine's server
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(fn):
    """(wall s, this process's CPU s, the database backend's CPU s, fn's value)."""
    pg, wall, cpu = _backend_cpu(), time.perf_counter(), time.process_time()
    value = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, _backend_cpu() - pg, value


def _steps(today: datetime.date, pk: int):
    """``daily_scan(today, district_ids=[pk])``'s calls one by one, as it makes them."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from zhaoshang.monitoring.services import escalate, record_lights, refresh_signals

    ids = [pk]
    for path in settings.DAILY_SCAN_STEPS:
        label = path.removeprefix("zhaoshang.").replace(".services.", ".")
        yield label, lambda path=path: import_string(path)(today, district_ids=ids)
    yield "signals", lambda: refresh_signals(today, district_ids=ids)
    yield "escalation", lambda: escalate(today, ids)
    yield "lights", lambda: record_lights(today, district_ids=ids)


def _line(label: str, wall: float, cpu: float, pg: float, c: float, what: str = "") -> None:
    print(f"  {label:<40}{wall:>9.2f}{cpu:>8.2f}{pg:>8.2f}{wall / c:>9.0f}×  {what}"[:160])


def _by_step(today, pk, c, title: str) -> None:
    from django.conf import settings
    from django.utils import translation

    total = [0.0, 0.0, 0.0]
    with translation.override(settings.LANGUAGE_CODE):
        for label, call in _steps(today, pk):
            wall, cpu, pg, what = _timed(call)
            _line(f"  {label}", wall, cpu, pg, c, str(what))
            total = [total[0] + wall, total[1] + cpu, total[2] + pg]
    _line(title, *total, c)


def measure_scan(args, meta) -> None:
    """(d) one generated district's scan, first (when never scanned: its steps one by one)
    and later runs, against the plain statement for that district."""
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    from zhaoshang.monitoring.models import Signal
    from zhaoshang.monitoring.services import daily_scan

    today = datetime.date.fromisoformat(meta["today"])
    pk = meta["measured"]

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(DISTRICT_BASELINE, [pk, today, pk, today])
            return cursor.fetchone()[0]

    def scan():
        with translation.override(settings.LANGUAGE_CODE):
            return daily_scan(today, district_ids=[pk])

    plain = [_timed(baseline) for _ in range(args.runs)]
    c = min(row[0] for row in plain)
    print(
        f"\n(d) one district's daily scan (district p001, {meta['per_district']:,} projects, "
        f"as of {today}; overdue set {plain[0][3]:,} rows); CPU: Python's, PostgreSQL's"
    )
    print(f"  {'':<40}{'wall s':>9}{'CPU s':>8}{'PG s':>8}{'÷ plain':>10}")
    _line("(c) plain statement, min", c, min(r[1] for r in plain), min(r[2] for r in plain), c)
    if not Signal.objects.filter(district_id=pk).exists():
        _by_step(today, pk, c, "(s) first run")
        analyze_if_no_autovacuum()
    else:
        print("  (s) first run: not measured (the district was scanned before; --regenerate)")
    later = [_timed(scan) for _ in range(args.runs)]
    for name, pick in (("min", min), ("median", statistics.median)):
        _line(
            f"(s2) later run, {name} of {args.runs}",
            pick(r[0] for r in later),
            pick(r[1] for r in later),
            pick(r[2] for r in later),
            c,
        )
    _by_step(today, pk, c, "(s2) a later run, its steps")
    # Before: PostgreSQL's JIT on (the server's default; settings turn it off since).
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
    try:
        jit = [_timed(scan) for _ in range(args.runs)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
    _line(
        f"(s2) later run with JIT on, min of {args.runs}",
        min(r[0] for r in jit),
        min(r[1] for r in jit),
        min(r[2] for r in jit),
        c,
    )


def _proc_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCpu:
    """The CPU time of the database's other backends (the workers' connections) while a
    fan-out runs: their pids sampled twice a second, each one's last reading kept (a
    backend that ends loses at most its last half second)."""

    def __init__(self, args):
        import threading

        self.args, self.seen, self.stop = args, {}, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        import psycopg

        url = self.args.url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as c:
            while not self.stop.is_set():
                rows = c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                ).fetchall()
                for (pid,) in rows:
                    cpu = _proc_cpu(pid)
                    if cpu is not None:
                        self.seen[pid] = cpu
                self.stop.wait(0.5)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    @property
    def total(self) -> float:
        return sum(self.seen.values())


def fan_out(args, meta, workers: int, label: str) -> dict:
    """(f) the scheduler's daily scan queued per district, run by ``workers`` processes of
    ``manage.py worker --burst`` on the database task backend."""
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.db.models import Count

    from zhaoshang.ops import jobs
    from zhaoshang.ops.models import JobRun

    today = datetime.date.fromisoformat(meta["today"])
    # A slot of its own for each fan-out (the day stays the generation's day).
    slot = datetime.datetime.combine(
        today, datetime.time(6, 0), tzinfo=ZoneInfo("Asia/Shanghai")
    ) + datetime.timedelta(seconds=int(time.time()) % 60_000)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    summary = jobs.daily_scan(slot)
    connection.close()
    env = {**os.environ, "DATABASE_URL": args.url, "TASKS_BACKEND": "database"}
    with BackendCpu(args) as database:
        procs = [
            subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--burst", "-v0"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for _ in range(workers)
        ]
        errors = []
        for proc in procs:
            _out, err = proc.communicate()
            if proc.returncode:
                errors.append(err.decode()[-500:])
        wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    runs = JobRun.objects.filter(job__startswith="daily_scan:", slot=slot)
    done = dict(runs.order_by().values_list("status").annotate(n=Count("id")))
    durations = [r.duration.total_seconds() for r in runs if r.duration is not None]
    row = {
        "label": label,
        "workers": workers,
        "wall": wall,
        "cpu": cpu,
        "pg": database.total,
        "summary": summary,
        "done": done,
        "slowest": max(durations, default=0),
        "median": statistics.median(durations) if durations else 0,
        "errors": errors,
    }
    print(
        f"  {label:<12}{workers:>8}{wall:>10.1f}{cpu:>10.1f}{database.total:>10.1f}"
        f"{row['median']:>10.2f}"
        f"{row['slowest']:>10.2f}   {done}",
        flush=True,
    )
    for error in errors:
        print(f"    a worker failed: {error}")
    return row


def _analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute("ANALYZE")


def one_district(args, meta) -> None:
    """``<name>_one``: the demo city with only the bureau's district grown to the province's
    average (bench/grow.py's copier), the other districts as in the demo — the district's
    own growth without the province around it."""
    if _exists(args, args.one_name) and _meta(args.one_url):
        manage(args.one_url, ["migrate", "-v0"])
        return
    _admin(args, f'DROP DATABASE IF EXISTS "{args.one_name}"')
    _admin(args, f'CREATE DATABASE "{args.one_name}" TEMPLATE "{args.demo_name}"')
    average = meta["projects"] // meta["districts"]
    grown = _child(args.one_url, _GROW, str(average))
    _child(args.one_url, _MARK_DEMO)
    print(f"the bureau's district alone grown to {grown} projects in {args.one_name}")


def measure_pages(args, meta) -> None:
    """(p) bench/grow.py's pages on the demo city, on the demo city with the bureau's
    district alone grown to the average size, and on the province."""
    one_district(args, meta)
    for url in (args.demo_url, args.one_url):  # fresh statistics, as for the province
        _analyze(url)
    pages = json.dumps(PAGES)
    # Two passes in opposite orders (demo, one, province; province, one, demo), each page's
    # time the smaller of its two medians: a load that changes during the measurement
    # weighs on the three databases alike.
    urls = (args.demo_url, args.one_url, args.url)
    passes = {url: [] for url in urls}
    for order in (urls, urls[::-1]):
        for url in order:
            passes[url].append(json.loads(_child(url, _MEASURE, pages, str(args.runs))))

    def best(first, second):
        # [user, name, status, SQL, ms: the smaller median, size, CPU: the smaller of the two
        # passes' (Python's median + the PostgreSQL backend's mean)]
        if first[4] is None:
            return [*first[:4], None, None, None]
        cpu = [row[6] + row[8] if row[8] is not None else float("nan") for row in (first, second)]
        return [*first[:4], min(first[4], second[4]), first[5], min(cpu)]

    demo, one, prov = (
        [best(first, second) for first, second in zip(*passes[url], strict=True)] for url in urls
    )
    print(
        f"\n(p) a district's pages: the demo city (demo), its bureau's district alone grown to "
        f"{meta['projects'] // meta['districts']:,} projects (1 dist), the province (prov); "
        f"each page built (PAGE_CACHE=0); wall: the smaller of two medians of {args.runs}; CPU: "
        "Python's median + its PostgreSQL backend's mean, the smaller of the two passes; "
        "! above 2× the demo in both wall and CPU, or in size"
    )
    print(
        f"{'user':<15}{'page':<24}{'status':>8}{'SQL':>8}{'ms demo':>9}{'1 dist':>8}"
        f"{'prov':>8}{'÷demo':>7}{'CPU demo':>9}{'1 dist':>8}{'prov':>8}{'÷demo':>7}"
        f"{'÷1dist':>7}{'kB demo':>9}{'kB prov':>9}{'×':>6}"
    )
    worse = []
    for (user, name, status, q1, t1, s1, c1), (*_, t_one, _s_one, c_one), (
        _u,
        _n,
        status2,
        q2,
        t2,
        s2,
        c2,
    ) in zip(demo, one, prov, strict=True):
        if status is None:
            print(f"{user:<15}{name:<24}{'(no route)':>8}")
            continue
        tr = t2 / t1 if t1 else float("nan")
        cr = c2 / c1 if c1 else float("nan")
        sr = s2 / s1 if s1 else float("nan")
        flag = "!" if min(tr, cr) > 2 or sr > 2 else ""
        if flag:
            worse.append(f"{user} {name}")
        print(
            f"{user:<15}{name:<24}{status:>4}/{status2:<3}{q1:>4}/{q2:<3}{t1 * 1000:>9.0f}"
            f"{t_one * 1000:>8.0f}{t2 * 1000:>8.0f}{tr:>7.1f}{c1 * 1000:>9.0f}"
            f"{c_one * 1000:>8.0f}{c2 * 1000:>8.0f}{cr:>7.1f}{c2 / c_one:>7.1f}"
            f"{s1 / 1024:>9.1f}{s2 / 1024:>9.1f}{sr:>6.1f}{flag}"
        )
    print("above 2× the demo:", ", ".join(worse) if worse else "none")


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ["DATABASE_URL"] = args.url
    os.environ["TASKS_BACKEND"] = "database"
    os.environ["DAILY_SCAN_PER_DISTRICT"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    import django

    django.setup()
    from django.db import connection

    try:
        meta = province(args)
        print(
            f"province: {meta['districts']} districts, {meta['projects']:,} projects; "
            f"database {_size(args)}; scans as of {meta['today']}"
        )
        analyze_if_no_autovacuum()
        if "scan" not in args.skip:
            measure_scan(args, meta)
        if "fanout" not in args.skip:
            from zhaoshang.ops.models import JobRun

            print(
                f"\n(f) the daily scan, one task per district ({meta['districts']} tasks), "
                "N worker processes (--burst)"
            )
            print(
                f"  {'run':<12}{'workers':>8}{'wall s':>10}{'CPU s':>10}{'PG s':>10}"
                f"{'median s':>10}"
                f"{'slowest s':>10}   district runs"
            )
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(status="READY").delete()  # an interrupted run's
            if not JobRun.objects.filter(job__startswith="daily_scan:").exists():
                fan_out(args, meta, max(args.worker_counts), "first")
                analyze_if_no_autovacuum()
            for workers in args.worker_counts:
                fan_out(args, meta, workers, "later")
            print(f"  database after the scans: {_size(args)}")
        if "pages" not in args.skip:
            measure_pages(args, meta)
    finally:
        connection.close()
        if not args.keep:
            _admin(args, f'DROP DATABASE IF EXISTS "{args.name}"')
            _admin(args, f'DROP DATABASE IF EXISTS "{args.demo_name}"')
            _admin(args, f'DROP DATABASE IF EXISTS "{args.one_name}"')
            print(f"dropped {args.name}, {args.demo_name}, {args.one_name} (--keep keeps them)")
    return 0
