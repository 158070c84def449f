"""The daily scan over a generated district, against a plain SQL baseline.

``python -m bench scan [--database URL] [--projects 10000,100000] [--repeat N]``

For each size the benchmark builds a throwaway database (a SQLite file under /tmp by default,
or the PostgreSQL database ``--database`` names, created if missing — its name must contain
``bench``), migrates it and generates one district with that many projects, each with three
approval cases and an agreement with three obligations (funds in place, a stage date and a
department's service). About a fifth of the cases are overdue and a tenth due within a day;
about a third of the obligations are past due. Then, in the same run:

(s)  ``manage.py daily_scan``'s work, first run (``monitoring.services.daily_scan``: every
     app's scan — ledger entries for overdue cases, breaches of missed obligations … — then
     the signals written and escalated); each first run is also given against the plain
     statement measured (best of ``--repeat``) just before it, and the median of those
     ratios: the machine's speed, which drifts between runs, cancels in each pair;
(s2) the same again: the idempotent second run, which finds everything in place;
(s3) with ``--reuse``: the next working day's scan, each run from the database as (s) left
     it, against (c3), the plain statement on that day — a real later run: every lit
     signal's working days left move;
(r)  the signals alone (``refresh_signals`` for cases and obligations, as on a later day);
(u)  before all of them, Django's system checks, as ``manage.py daily_scan`` runs them before
     its scan (they import the URL configuration the scan's links are reversed from);
(c)  the baseline: one plain SQL statement that finds the same overdue set — open cases past
     their due date and obligations past theirs that are neither confirmed nor waived —
     with the row count.

Times are the best of ``--repeat`` runs except (s), which runs ``--first-runs`` times (each on
a fresh copy of the generated database: needs ``--reuse``), min and median. Each is given in
wall and CPU seconds of the process (on SQLite every statement runs in the process, so the CPU
ratio, marked ×c, is the steadier figure on a shared machine; on PostgreSQL the server's time
is not the process's: read the wall ratio). The report gives each as a ratio to (c) and how
(s2) and (r) grow from the smallest size to the largest.

``--reuse DIR`` (SQLite): keep each size's generated, migrated and analysed database in DIR
(``scan-<projects>-<seed>.sqlite3``) and, when it is already there, start from a copy of it
instead of migrating and generating again (a copy kept before a newer migration is migrated
and kept again, once). ``--steps``: also each step of the scan on its own
(CPU seconds), for the first run, the later run and (with ``--reuse``) the next working day's.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.workdays import DEFAULT_DATABASE, Refused, prepare_database, setup_django

TODAY = datetime.date(2026, 11, 26)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench scan", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE.replace("bench", "bench-scan"))
    parser.add_argument("--projects", default="10000,100000", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="SQLite: keep each size's generated database in DIR and start from a copy of it",
    )
    parser.add_argument(
        "--first-runs",
        type=int,
        default=1,
        help="first runs, each on a fresh copy of the generated database (needs --reuse)",
    )
    parser.add_argument("--steps", action="store_true", help="also time each step on its own")
    args = parser.parse_args(argv)
    if args.first_runs > 1 and not args.reuse:
        parser.error("--first-runs above 1 needs --reuse")
    if args.reuse and not args.database.startswith("sqlite:"):
        parser.error("--reuse keeps SQLite files only")
    try:
        args.sizes = [int(s) for s in args.projects.split(",") if s.strip()]
    except ValueError:
        parser.error("--projects takes whole numbers separated by commas")
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1:
        parser.error("need sizes >= 1 and repeat >= 1")
    return args


def migrate() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)


def generate(n: int, seed: int) -> None:
    """One district with ``n`` projects, their cases and their agreements' obligations."""
    from django.db import transaction

    from zhaoshang.agreements.models import Agreement, Obligation
    from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.org.models import Department, District, Park, User, Zone
    from zhaoshang.projects.models import Project

    rng = random.Random(seed)
    with transaction.atomic():
        district = District.objects.create(code="bench", name="基准区", city="基准市")
        zone = Zone.objects.create(district=district, code="Z1", name="园区一", area_km2=10)
        park = Park.objects.create(
            district=district, zone=zone, code="P1", name="产业园一", area_km2=5
        )
        departments = [
            Department.objects.create(district=district, name=f"部门{i}", short_name=f"部{i}")
            for i in range(10)
        ]
        user = User.objects.create(username="bench", district=district, real_name="基准")
        items = [
            ApprovalItem.objects.create(
                district=district,
                code=f"B-{i}",
                name=f"事项{i}",
                department=departments[i],
                phase="works_planning",
            )
            for i in range(3)
        ]
        enterprise = Enterprise.objects.create(
            district=district, name="基准企业", credit_code="91510100MA00000000", origin="domestic"
        )
        projects = Project.objects.bulk_create(
            [
                Project(
                    district=district,
                    code=f"B-{i:06d}",
                    name=f"项目{i}",
                    name_initials="xm",
                    name_pinyin="xiangmu",
                    park=park,
                    enterprise=enterprise,
                    total_investment=Decimal(10000),
                    signed_on=datetime.date(2025, 1, 1),
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        cases, agreements = [], []
        for p in projects:
            for item in items:
                r = rng.random()
                due = TODAY + datetime.timedelta(
                    days=rng.randint(-40, -1) if r < 0.2 else 1 if r < 0.3 else rng.randint(5, 60)
                )
                cases.append(
                    ApprovalCase(
                        district=district,
                        project=p,
                        item=item,
                        department=item.department,
                        registered_on=datetime.date(2026, 9, 1),
                        registered_by=user,
                        time_limit=10,
                        time_limit_unit="workday",
                        status="accepted",
                        accepted_on=datetime.date(2026, 9, 1),
                        due_on=due,
                    )
                )
            agreements.append(
                Agreement(
                    district=district,
                    project=p,
                    number=f"XY-{p.code}",
                    signed_on=datetime.date(2025, 1, 1),
                    government_party="区政府",
                    enterprise_party="基准企业",
                    contracted_investment=Decimal(10000),
                    created_by=user,
                )
            )
        ApprovalCase.objects.bulk_create(cases, batch_size=5000)
        agreements = Agreement.objects.bulk_create(agreements, batch_size=5000)
        obligations = []
        for a in agreements:
            for kind, party in (
                ("funds", "enterprise"),
                ("stage", "enterprise"),
                ("service", "department"),
            ):
                due = TODAY + datetime.timedelta(days=rng.randint(-300, 300))
                obligations.append(
                    Obligation(
                        district=district,
                        agreement=a,
                        party=party,
                        department=departments[5] if party == "department" else None,
                        kind=kind,
                        title=f"{kind}义务",
                        target_amount=Decimal(3000) if kind == "funds" else None,
                        target_stage="started" if kind == "stage" else "",
                        due_on=due,
                    )
                )
        Obligation.objects.bulk_create(obligations, batch_size=5000)


BASELINE = """
SELECT COUNT(*) FROM (
  SELECT id FROM approvals_approvalcase
   WHERE status IN ('pending','supplement','accepted','in_progress','reported') AND due_on < %s
  UNION ALL
  SELECT id FROM agreements_obligation
   WHERE due_on < %s AND confirmed_on IS NULL AND waived_on IS NULL
) overdue
"""


class Times:
    """Wall and CPU seconds of several runs of one thing."""

    def __init__(self):
        self.wall, self.cpu = [], []

    def run(self, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)
        return value

    def best(self, kind="cpu") -> float:
        return min(getattr(self, kind))

    def median(self, kind="cpu") -> float:
        return statistics.median(getattr(self, kind))


def timed(fn, repeat: int):
    times, value = Times(), None
    for _ in range(repeat):
        value = times.run(fn)
    return times, value


def scan_by_step(today, steps: dict) -> None:
    """``daily_scan``'s steps one by one, in its order, each step's CPU seconds added to
    ``steps`` (the same work as ``monitoring.services.daily_scan``)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from zhaoshang.core.scanstep import scan_step
    from zhaoshang.monitoring.services import escalate, record_lights, refresh_signals

    def step(label, fn):
        cpu = time.process_time()
        with scan_step():  # as daily_scan runs each step
            fn()
        steps.setdefault(label, []).append(time.process_time() - cpu)

    for path in settings.DAILY_SCAN_STEPS:
        step(path.removeprefix("zhaoshang."), lambda p=path: import_string(p)(today))
    step("signals", lambda: refresh_signals(today, climb_unheard=True))
    step("escalation", lambda: escalate(today))
    step("lights' history", lambda: record_lights(today))
    for path in settings.DAILY_SCAN_AFTER_LIGHTS:
        step(path.removeprefix("zhaoshang."), lambda p=path: import_string(p)(today))


def kept_copy(n: int, args) -> Path | None:
    if not args.reuse:
        return None
    return Path(args.reuse) / f"scan-{n}-{args.seed}.sqlite3"


def working_file() -> Path:
    from django.db import connection

    return Path(connection.settings_dict["NAME"])


def restore(kept: Path, url: str) -> None:
    """The working database replaced by a copy of the kept one."""
    from django.db import connection

    connection.close()
    prepare_database(url)
    shutil.copyfile(kept, working_file())


def catch_up(kept: Path) -> None:
    """A kept database generated before the latest migrations: migrated (and analysed) once
    and kept again, so that every run starts from the code's schema, not the old one."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    shutil.copyfile(working_file(), kept)


def measure(n: int, args) -> dict:
    from django.db import connection

    from zhaoshang.monitoring.models import Signal
    from zhaoshang.monitoring.services import daily_scan, refresh_signals
    from zhaoshang.workdays.services import next_workday

    kept = kept_copy(n, args)
    generated = None
    if kept is not None and kept.exists():
        restore(kept, args.database)
        catch_up(kept)
    else:
        connection.close()
        prepare_database(args.database)  # a fresh file (SQLite) for each size
        migrate()
        started = time.perf_counter()
        generate(n, args.seed)
        generated = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if kept is not None:
            connection.close()
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(working_file(), kept)

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, [TODAY, TODAY])
            return cursor.fetchone()[0]

    c, overdue = timed(baseline, args.repeat)
    following = next_workday(TODAY + datetime.timedelta(days=1))

    def baseline_following():
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, [following, following])
            return cursor.fetchone()[0]

    c3, _ = timed(baseline_following, args.repeat)
    s, steps_first, steps_later, steps_next = Times(), {}, {}, {}
    paired = []  # each first run's CPU over the plain statement's, measured just before it
    for run in range(args.first_runs):
        if run:
            restore(kept, args.database)
        plain, _ = timed(baseline, args.repeat)
        s.run(lambda: daily_scan(TODAY))
        paired.append(s.cpu[-1] / plain.best())
    signals = Signal.objects.count()
    s2, _ = timed(lambda: daily_scan(TODAY), args.repeat)
    r, _ = timed(lambda: refresh_signals(TODAY, subjects=["case", "obligation"]), args.repeat)
    s3 = Times()
    if kept is not None:
        # (s3) the next working day's scan, each run from the database as today's scan left
        # it: every lit signal's working days left move, and are written again.
        scanned = kept.with_name(kept.stem + "-scanned.sqlite3")
        connection.close()
        shutil.copyfile(working_file(), scanned)
        for run in range(args.repeat):
            if run:
                restore(scanned, args.database)
            s3.run(lambda: daily_scan(following))
        if args.steps:
            for _ in range(args.repeat):
                restore(scanned, args.database)
                scan_by_step(following, steps_next)
        restore(scanned, args.database)
        scanned.unlink()
    if args.steps:
        for _ in range(args.repeat):
            scan_by_step(TODAY, steps_later)
        if kept is not None:
            for _ in range(args.first_runs):
                restore(kept, args.database)
                scan_by_step(TODAY, steps_first)
    return {
        "n": n,
        "generated": generated,
        "overdue": overdue,
        "signals": signals,
        "c": c,
        "s": s,
        "paired": paired,
        "s2": s2,
        "s3": s3,
        "c3": c3,
        "following": following,
        "r": r,
        "steps_first": steps_first,
        "steps_later": steps_later,
        "steps_next": steps_next,
    }


def system_checks() -> float:
    """What ``manage.py daily_scan`` does before its scan: Django's system checks, which
    import the URL configuration — every app's URLs and views — that the scan's links are
    reversed from (``core.links``). Without them here, the first run in the process would
    pay that import (0.6–0.8 s of CPU) where the command pays it in its checks, before
    the scan. Returns their CPU seconds."""
    from django.core import checks

    cpu = time.process_time()
    checks.run_checks()
    return time.process_time() - cpu


def peak_rss_mib() -> float:
    """The process's peak resident memory (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    try:
        where = prepare_database(args.database)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_django(args.database)
    print(f"daily scan benchmark on {where}; today {TODAY}")
    print(
        f"  (u) system checks before the runs, as manage.py daily_scan: {system_checks():.3f} s CPU"
    )
    rows = []
    for n in args.sizes:
        row = measure(n, args)
        rows.append(row)
        c = row["c"]
        generated = (
            f"generated in {row['generated']:.1f} s" if row["generated"] is not None else "reused"
        )
        print(
            f"{n:>8,} projects ({generated}): overdue set {row['overdue']:,} "
            f"rows, {row['signals']:,} signals\n"
            f"  wall s (×), CPU s (×c); min / median of the runs\n"
            f"  (c) plain SQL overdue set   {line(c, c)}\n"
            f"  (s) daily_scan, first run   {line(row['s'], c)}\n"
            f"      each first run against the plain statement measured just before it: "
            f"{', '.join(f'{x:.1f}' for x in sorted(row['paired']))}×c "
            f"(median {statistics.median(row['paired']):.1f}×c)\n"
            f"  (s2) daily_scan, again      {line(row['s2'], c)}\n"
            + (
                f"  (c3) plain SQL, {row['following']}  {line(row['c3'], row['c3'])}\n"
                f"  (s3) daily_scan, next working day {row['following']} (from (s)'s database; "
                f"against (c3))\n                              {line(row['s3'], row['c3'])}\n"
                if row["s3"].cpu
                else ""
            )
            + f"  (r) signals of cases+oblig. {line(row['r'], c)}\n"
            f"  peak RSS of the process so far {peak_rss_mib():.0f} MiB"
        )
        for title, steps in (
            ("first run", row["steps_first"]),
            ("later run", row["steps_later"]),
            ("next working day's run", row["steps_next"]),
        ):
            if steps:
                print(f"  steps of the {title}, CPU s (min / median):")
                for label, cpus in steps.items():
                    print(f"    {label:<40} {min(cpus):7.3f} {statistics.median(cpus):7.3f}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        k = last["n"] / first["n"]

        def grew(key):
            return last[key].best() / first[key].best()

        print(
            f"growth {first['n']:,} → {last['n']:,} projects ({k:.0f}×), CPU: "
            f"baseline {grew('c'):.1f}×, first scan {grew('s'):.1f}×, "
            f"second scan {grew('s2'):.1f}×, signals {grew('r'):.1f}×"
        )
    return 0


def line(t: Times, c: Times) -> str:
    wall = f"{t.best('wall'):8.3f} / {t.median('wall'):8.3f} s ({t.best('wall') / c.best('wall'):5.1f}×)"
    cpu = f"{t.best():8.3f} / {t.median():8.3f} s ({t.best() / c.best():5.1f}×c)"
    return f"{wall}   {cpu}"
