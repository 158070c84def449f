"""Due dates and working days left for 1,000,000 cases, against a plain SQL baseline.

The benchmark builds a throwaway database (a SQLite file under /tmp by default, or the
PostgreSQL database ``--database`` names, created if missing), migrates it — the migration
seeds the working-day index (``workdays.Day``) — and fills a table of its own, ``bench_case``
(id, start_on, time_limit), with random start dates in 2024–2026 and limits of 3 or 10
working days: the two columns a case's due date is computed from. Real ``ApprovalCase`` rows
would need projects, items and people around them and add nothing to what is measured.

Measured in the same run, over the same rows:

(a)  in SQL with the working-day index, through the expressions the app uses
     (``workdays.querysets.workday_seq`` for the due date's working-day number, and
     ``days_left_expression`` on the due date): due date and days left of every row;
(a') the same in hand-written SQL, as two joins on ``Day`` (by date, then by ``seq``);
(d)  days left alone, on due dates stored in the rows (as the services store them), with
     ``days_left_expression``: what the worklists, their sorting and the scans run;
(b)  in Python, ``workdays.services.add_workdays`` and ``days_left`` per row, on a sample,
     extrapolated to all rows;
(w)  the same on a ``workdays.services.CalendarWindow`` read once for the sample's span;
(c)  the baseline: one plain SQL pass doing date arithmetic without the calendar (start plus
     the limit in days, and days from today), with the row count.

(a), (a'), (d) and (c) aggregate every row in the database (count, sum of days left, latest due
date), so the database computes each row and the time is not spent sending rows to Python.
The times are the best of ``--repeat`` runs; (b) and (w) run once. The due dates (d) reads are
stored by one SQL UPDATE over all rows, timed and shown too. Correctness: (a), (a'), (d) and
(w) equal (b) row by row on the sample, and the SQL passes agree on the totals.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE = "sqlite:////tmp/zhaoshang-bench.sqlite3"
FIRST_START = datetime.date(2024, 1, 1)
LAST_START = datetime.date(2026, 12, 31)
LIMITS = (3, 10)
TABLE = "bench_case"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Working-day calendar benchmark: due dates and days left for many cases, "
        "in SQL and in Python, as ratios to a plain SQL pass over the same rows.",
    )
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help=f"throwaway database URL (default {DEFAULT_DATABASE}); e.g. "
        "postgres://postgres@127.0.0.1:5432/bench. Its name must contain 'bench'.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="cases (default 1,000,000)")
    parser.add_argument(
        "--sample",
        type=int,
        default=100_000,
        help="rows computed in Python with add_workdays, extrapolated (default 100,000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each SQL pass (best)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (the SQLite file, the table)"
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or not 1 <= args.sample <= args.rows or args.repeat < 1:
        parser.error("need rows >= 1, 1 <= sample <= rows and repeat >= 1")
    return args


# --- the throwaway database ---------------------------------------------------------------


class Refused(SystemExit):
    pass


def prepare_database(url: str) -> str:
    """Check the URL names a throwaway database and make it exist, empty for SQLite.
    Returns where the database is, for the report."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        import dj_database_url

        path = Path(dj_database_url.parse(url)["NAME"])
        if "bench" not in path.name:
            raise Refused(f"refusing {url}: the SQLite file's name must contain 'bench'")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return str(path)
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = parts.path.lstrip("/")
        if name == "test" or "bench" not in name:
            raise Refused(f"refusing {url}: the database's name must contain 'bench'")
        import psycopg

        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
        with psycopg.connect(
            admin.replace("postgres://", "postgresql://", 1), autocommit=True
        ) as c:
            exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                c.execute(f'CREATE DATABASE "{name}"')
        host = parts.hostname or "localhost"
        return f"PostgreSQL database {name!r} on {host}:{parts.port or 5432}"
    raise Refused(f"unsupported database URL {url!r}: use sqlite:///… or postgres://…")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    import django

    django.setup()


def bench_model():
    """The benchmark's own table as an unmanaged model, so that the app's query expressions
    apply to it unchanged."""
    from django.db import models

    class BenchCase(models.Model):
        start_on = models.DateField()
        time_limit = models.PositiveSmallIntegerField()
        due_on = models.DateField(null=True)

        class Meta:
            app_label = "bench"
            db_table = TABLE
            managed = False

        def __str__(self) -> str:
            return f"{self.start_on} + {self.time_limit}"

    return BenchCase


def fill(rows: int, seed: int) -> None:
    """(Re)create ``bench_case`` with ``rows`` random cases."""
    from django.db import connection, transaction

    rng = random.Random(seed)
    span = (LAST_START - FIRST_START).days
    data = [
        (i, FIRST_START + datetime.timedelta(days=rng.randint(0, span)), rng.choice(LIMITS))
        for i in range(1, rows + 1)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, start_on date NOT NULL, "
            "time_limit smallint NOT NULL, due_on date NULL)"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {TABLE} (id, start_on, time_limit) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {TABLE} (id, start_on, time_limit) VALUES (%s, %s, %s)"
            for first in range(0, rows, 50_000):
                cursor.executemany(sql, data[first : first + 50_000])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("ANALYZE workdays_day")


def store_due_dates() -> None:
    """Store every row's due date, computed in SQL on the index (one UPDATE)."""
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {TABLE} c SET due_on = d.date FROM workdays_day s, workdays_day d "
            "WHERE s.date = c.start_on AND d.is_workday AND d.seq = s.seq + c.time_limit"
        )
    else:
        sql = (
            f"UPDATE {TABLE} SET due_on = (SELECT d.date FROM workdays_day s "
            "JOIN workdays_day d ON d.is_workday AND d.seq = s.seq + "
            f"{TABLE}.time_limit WHERE s.date = {TABLE}.start_on)"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")


def drop() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


# --- the passes ---------------------------------------------------------------------------


def app_queryset(model, today: datetime.date):
    """(a): the due date as the working day whose number is the start's number plus the
    limit, and the days left on it — with the app's expressions."""
    from django.db.models import DateField, OuterRef, Subquery

    from zhaoshang.workdays.models import Day
    from zhaoshang.workdays.querysets import days_left_expression, workday_seq

    due = Subquery(
        Day.objects.filter(is_workday=True, seq=OuterRef("start_seq") + OuterRef("time_limit"))
        .order_by()
        .values("date")[:1],
        output_field=DateField(),
    )
    return (
        model.objects.annotate(start_seq=workday_seq("start_on"))
        .annotate(due=due)
        .annotate(days_left=days_left_expression("due", today))
    )


def run_app(model, today):
    from django.db.models import Count, Max, Sum

    totals = app_queryset(model, today).aggregate(
        rows=Count("id"), left=Sum("days_left"), last=Max("due")
    )
    return totals["rows"], totals["left"], totals["last"]


def _join_sql(vendor: str, where: str = "") -> tuple[str, str]:
    """(the FROM clause, the days-left expression) of the hand-written pass."""
    least = "LEAST" if vendor == "postgresql" else "MIN"
    return (
        f"FROM {TABLE} c "
        "JOIN workdays_day s ON s.date = c.start_on "
        "JOIN workdays_day d ON d.is_workday AND d.seq = s.seq + c.time_limit "
        f"{where}",
        f"CASE WHEN d.date < %s THEN {least}(d.seq - %s, -1) ELSE d.seq - %s END",
    )


def stored_queryset(model, today: datetime.date):
    """(d): days left on the stored due date, the worklist's expression as it is."""
    from zhaoshang.workdays.querysets import days_left_expression

    return model.objects.annotate(days_left=days_left_expression("due_on", today))


def run_stored(model, today):
    from django.db.models import Count, Max, Sum

    totals = stored_queryset(model, today).aggregate(
        rows=Count("id"), left=Sum("days_left"), last=Max("due_on")
    )
    return totals["rows"], totals["left"], totals["last"]


def run_join(today, today_seq):
    """(a'): the same in hand-written SQL, two joins on the index."""
    from django.db import connection

    source, left = _join_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM({left}), MAX(d.date) {source}", [today, today_seq, today_seq]
        )
        rows, total, last = cursor.fetchone()
    return rows, total, _date(last)


def run_baseline(today):
    """(c): plain date arithmetic over the same rows, no calendar."""
    from django.db import connection

    if connection.vendor == "postgresql":
        sql = (
            f"SELECT COUNT(*), SUM((start_on + time_limit) - %s::date), "
            f"MAX(start_on + time_limit) FROM {TABLE}"
        )
    else:
        sql = (
            "SELECT COUNT(*), SUM(julianday(start_on) + time_limit - julianday(%s)), "
            f"MAX(date(start_on, '+' || time_limit || ' days')) FROM {TABLE}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [today])
        rows, total, last = cursor.fetchone()
    return rows, total, _date(last)


def run_python(sample_rows, today):
    """(b): add_workdays and days_left per row, as the services compute them."""
    from zhaoshang.workdays.services import add_workdays, days_left

    result = {}
    for pk, start, limit in sample_rows:
        due = add_workdays(start, limit).date
        result[pk] = (due, days_left(due, today))
    return result


def run_window(sample_rows, today):
    """(w): the same per row, on a ``CalendarWindow`` read once for the sample's span (what
    the case page, the forecast and the recompute hook use)."""
    from zhaoshang.workdays.services import CalendarWindow

    window = CalendarWindow(FIRST_START, max(LAST_START, today))
    result = {}
    for pk, start, limit in sample_rows:
        due = window.add_workdays(start, limit).date
        result[pk] = (due, window.days_left(due, today))
    return result


def _date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def best_of(repeat: int, fn, *args):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


# --- the run ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        where = prepare_database(args.database)
    except Refused as exc:
        print(exc.code, file=sys.stderr)
        return 2
    setup_django(args.database)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from zhaoshang.workdays.services import seq_of

    print(f"database: {where}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated (the working-day index is seeded) in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    fill(args.rows, args.seed)
    print(
        f"{args.rows:,} rows in {TABLE}: start {FIRST_START} to {LAST_START}, limits "
        f"{' or '.join(map(str, LIMITS))} working days ({time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    store_due_dates()
    stored = time.perf_counter() - started
    print(f"due dates of all rows stored by one SQL UPDATE on the index in {stored:.1f} s")
    model = bench_model()
    today = timezone.localdate()
    today_seq = seq_of(today)
    print(f"{connection.vendor} {_server_version(connection)}; today {today}")

    # Warm the caches once, then the best of --repeat runs of each SQL pass, interleaved.
    run_baseline(today)
    passes = {
        "c": (run_baseline, (today,)),
        "a": (run_app, (model, today)),
        "a'": (run_join, (today, today_seq)),
        "d": (run_stored, (model, today)),
    }
    times: dict[str, list[float]] = {key: [] for key in passes}
    results = {}
    for _ in range(args.repeat):
        for key, (fn, fn_args) in passes.items():
            started = time.perf_counter()
            results[key] = fn(*fn_args)
            times[key].append(time.perf_counter() - started)
    best = {key: min(values) for key, values in times.items()}

    sample_rows = list(
        model.objects.filter(id__lte=args.sample)
        .order_by("id")
        .values_list("id", "start_on", "time_limit")
    )
    started = time.perf_counter()
    python = run_python(sample_rows, today)
    b_sample = time.perf_counter() - started
    best["b"] = b_sample * args.rows / args.sample
    started = time.perf_counter()
    windowed = run_window(sample_rows, today)
    w_sample = time.perf_counter() - started
    best["w"] = w_sample * args.rows / args.sample

    # Correctness: each SQL pass equals the services row by row on the sample.
    sample = {"a": {}, "a'": {}, "d": {}}
    for pk, due, left in (
        app_queryset(model, today).filter(id__lte=args.sample).values_list("id", "due", "days_left")
    ):
        sample["a"][pk] = (due, left)
    for pk, due, left in (
        stored_queryset(model, today)
        .filter(id__lte=args.sample)
        .values_list("id", "due_on", "days_left")
    ):
        sample["d"][pk] = (due, left)
    source, left_sql = _join_sql(connection.vendor, "WHERE c.id <= %s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, d.date, {left_sql} {source}",
            [today, today_seq, today_seq, args.sample],
        )
        sample["a'"] = {pk: (_date(due), left) for pk, due, left in cursor.fetchall()}
    sample["w"] = windowed
    wrong = {
        key: sum(1 for pk, value in python.items() if rows.get(pk) != value)
        for key, rows in sample.items()
    }
    totals_agree = (
        results["a"] == results["a'"] == results["d"]
        and results["a"][0] == results["c"][0] == args.rows
    )

    c, n = best["c"], f"{args.rows:,}"
    print()
    print(f"{'pass over ' + n + ' rows':<62} {'seconds':>8} {'÷ (c)':>8} {'µs/row':>8}")
    labels = [
        ("c", "(c) baseline: plain SQL date arithmetic, no calendar"),
        ("a", "(a) SQL: due + days left, the app's expressions"),
        ("a'", "(a') SQL: due + days left, two joins on the index"),
        ("d", "(d) SQL: days left on stored due dates (worklist)"),
        ("b", f"(b) Python: add_workdays + days_left ({args.sample:,} rows, scaled)"),
        ("w", f"(w) Python: the same on a CalendarWindow ({args.sample:,} rows, scaled)"),
    ]
    for key, label in labels:
        seconds = best[key]
        print(f"{label:<62} {seconds:>8.2f} {seconds / c:>8.1f} {seconds / args.rows * 1e6:>8.2f}")
    print(f"    (b) took {b_sample:.2f} s for {args.sample:,} rows; ×{args.rows / args.sample:g}")
    print(f"    (w) took {w_sample:.2f} s for {args.sample:,} rows; ×{args.rows / args.sample:g}")
    print()
    ratios = {key: best[key] / c for key in ("a", "a'", "d", "b", "w")}
    print("ratios: " + ", ".join(f"{key}/c = {value:.1f}" for key, value in ratios.items()))
    checks = ", ".join(
        f"({key}) = (b) " + ("OK" if not count else f"{count} DIFFER")
        for key, count in wrong.items()
    )
    rows, total, last = results["a"]
    print(f"correctness on {args.sample:,} rows: {checks}")
    print(
        f"totals over {n} rows, (a) = (a') = (d): {'OK' if totals_agree else 'DIFFER'} "
        f"({rows:,} rows, sum of days left {total:,}, last due date {last})"
    )
    if not args.keep:
        drop()
        connection.close()
        if connection.vendor == "sqlite":
            Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
            print(f"removed {where} (--keep keeps it)")
        else:
            print(f"dropped the table {TABLE} (--keep keeps it); the database stays")
    return 0 if not any(wrong.values()) and totals_agree else 1


def _server_version(connection) -> str:
    if connection.vendor == "postgresql":
        return f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    import sqlite3

    return sqlite3.sqlite_version
