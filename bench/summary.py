"""The monthly summary (按月汇总) over a generated district, against the plain SQL aggregates
it needs.

``python -m bench summary [--database URL] [--projects 20000] [--repeat N]``

The benchmark builds a throwaway database (a SQLite file under /tmp by default, or the
PostgreSQL database ``--database`` names — its name must contain ``bench``), migrates it and
generates one district with that many projects spread over six parks, six industries and the
active stages, each with a funds entry and the month's progress report; a tenth of them have
a red signal and a tenth a yellow one. Then, in the same run:

(m)  ``reports.figures.monthly``: the whole monthly summary — totals, the subtotals by park,
     industry and stage, and every project's row with its light, funds in place, the month's
     investment, cumulative investment and progress (what is shown, filed and frozen);
(c)  the baseline: the same figures by hand-written SQL — one statement for the rows and one
     GROUP BY per grouping (park, industry, stage) plus the totals, over the same joins —
     with the rows fetched;
(x)  for scale, the Excel file of the summary (``reports.exports.to_xlsx``).

Times are the best of ``--repeat`` runs; the report gives (m) and (x) as a ratio to (c).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from decimal import Decimal

from bench.workdays import DEFAULT_DATABASE, Refused, prepare_database, setup_django

MONTH = datetime.date(2026, 10, 1)
MONTH_END = datetime.date(2026, 10, 31)
STAGES = [
    "signed",
    "registered",
    "land_delivered",
    "started",
    "completed",
    "production",
    "capacity",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench summary", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE.replace("bench", "bench-summary"))
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.projects < 1 or args.repeat < 1:
        parser.error("need --projects >= 1 and --repeat >= 1")
    return args


def generate(n: int, seed: int):
    """One district with ``n`` active projects, their funds, reports and signals."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.monitoring.models import Signal
    from zhaoshang.org.models import District, Industry, Park, User, Zone
    from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project

    rng = random.Random(seed)
    with transaction.atomic():
        district = District.objects.create(code="bench", name="基准区", city="基准市")
        zone = Zone.objects.create(district=district, code="Z1", name="园区一", area_km2=10)
        parks = [
            Park.objects.create(
                district=district, zone=zone, code=f"P{i}", name=f"产业园{i}", area_km2=5
            )
            for i in range(6)
        ]
        industries = [
            Industry.objects.create(district=district, name=f"产业{i}", category="leading")
            for i in range(6)
        ]
        user = User.objects.create(username="bench", district=district, real_name="基准")
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
                    park=rng.choice(parks),
                    industry=rng.choice(industries),
                    stage=rng.choice(STAGES),
                    enterprise=enterprise,
                    total_investment=Decimal(rng.randint(1000, 100000)),
                    signed_on=datetime.date(2025, 1, 1),
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        now = timezone.now()
        FundsEntry.objects.bulk_create(
            [
                FundsEntry(
                    project=p,
                    received_on=datetime.date(2026, 5, 1),
                    amount=Decimal(rng.randint(100, 5000)),
                    origin="in_city",
                    use="fixed_assets",
                    recorded_by=user,
                )
                for p in projects
            ],
            batch_size=5000,
        )
        MonthlyReport.objects.bulk_create(
            [
                MonthlyReport(
                    project=p,
                    month=MONTH,
                    investment_this_month=Decimal(rng.randint(0, 500)),
                    investment_cumulative=Decimal(rng.randint(500, 5000)),
                    image_progress="主体施工",
                    submitted_by=user,
                    submitted_at=now,
                )
                for p in projects
            ],
            batch_size=5000,
        )
        ctype = ContentType.objects.get_for_model(Project)
        signals = []
        for p in projects:
            r = rng.random()
            if r < 0.2:
                signals.append(
                    Signal(
                        district=district,
                        subject="case",
                        content_type=ctype,
                        object_id=p.pk,
                        project=p,
                        title="超期",
                        light="red" if r < 0.1 else "yellow",
                        since=MONTH,
                        checked_on=MONTH_END,
                    )
                )
        Signal.objects.bulk_create(signals, batch_size=5000)
    return district


JOINS = """
  FROM projects_project p
  LEFT JOIN org_park pk ON pk.id = p.park_id
  LEFT JOIN org_industry ind ON ind.id = p.industry_id
  LEFT JOIN (SELECT project_id, SUM(amount) AS total FROM projects_fundsentry
              WHERE received_on <= %(end)s GROUP BY project_id) f ON f.project_id = p.id
  LEFT JOIN projects_monthlyreport mr ON mr.project_id = p.id AND mr.month = %(month)s
  LEFT JOIN (SELECT project_id, MIN(CASE light WHEN 'red' THEN 0 ELSE 1 END) AS worst
               FROM monitoring_signal WHERE project_id IS NOT NULL GROUP BY project_id) s
         ON s.project_id = p.id
 WHERE p.district_id = %(district)s AND p.stage IN ({stages})
"""
LIGHT = "CASE s.worst WHEN 0 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END"
AGGREGATES = f"""COUNT(*), SUM(p.total_investment), SUM(COALESCE(f.total, 0)),
  SUM(COALESCE(mr.investment_this_month, 0)),
  SUM(CASE WHEN {LIGHT} = 'red' THEN 1 ELSE 0 END),
  SUM(CASE WHEN {LIGHT} = 'yellow' THEN 1 ELSE 0 END)"""


def baseline_statements() -> list[str]:
    stages = ", ".join(f"'{s}'" for s in STAGES)
    joins = JOINS.format(stages=stages)
    cumulative = (
        "(SELECT investment_cumulative FROM projects_monthlyreport l WHERE l.project_id = p.id "
        "AND l.month <= %(month)s ORDER BY l.month DESC LIMIT 1)"
    )
    rows = (
        f"SELECT p.code, p.name, pk.name, ind.name, p.stage, p.condition, {LIGHT}, "
        f"p.total_investment, COALESCE(f.total, 0), COALESCE(mr.investment_this_month, 0), "
        f"COALESCE({cumulative}, 0), COALESCE(mr.image_progress, '') {joins} "
        "ORDER BY pk.code, p.code"
    )
    return [
        f"SELECT {AGGREGATES} {joins}",
        f"SELECT pk.id, pk.name, {AGGREGATES} {joins} GROUP BY pk.id, pk.name",
        f"SELECT ind.id, ind.name, {AGGREGATES} {joins} GROUP BY ind.id, ind.name",
        f"SELECT p.stage, {AGGREGATES} {joins} GROUP BY p.stage",
        rows,
    ]


def timed(fn, repeat: int):
    best, value = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    try:
        where = prepare_database(args.database)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_django(args.database)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)
    print(f"monthly summary benchmark on {where}; month {MONTH:%Y-%m}")
    started = time.perf_counter()
    district = generate(args.projects, args.seed)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from django.test.utils import CaptureQueriesContext

    from zhaoshang.reports import exports, figures
    from zhaoshang.reports.choices import Kind, Period

    period = Period(Kind.MONTHLY, f"{MONTH:%Y-%m}")
    params = {"end": MONTH_END, "month": MONTH, "district": district.pk}
    statements = baseline_statements()
    if connection.vendor == "sqlite":
        # The sqlite3 backend takes %s only; the named form is the same SQL.
        import re

        names = []

        def positional(sql):
            names.clear()
            out = re.sub(r"%\((\w+)\)s", lambda m: names.append(m[1]) or "%s", sql)
            return out, list(names)

        statements = [positional(s) for s in statements]
    else:
        statements = [(s, None) for s in statements]

    def baseline():
        fetched = 0
        with connection.cursor() as cursor:
            for sql, order in statements:
                cursor.execute(sql, [params[k] for k in order] if order else params)
                fetched += len(cursor.fetchall())
        return fetched

    c, fetched = timed(baseline, args.repeat)
    m, data = timed(lambda: figures.monthly(period, district), args.repeat)
    with CaptureQueriesContext(connection) as ctx:
        figures.monthly(period, district)
    data = figures.build(Kind.MONTHLY, period, district)
    x, content = timed(lambda: exports.to_xlsx(data), 1)
    red = data["summary"][4][1]
    print(
        f"{args.projects:,} projects (generated in {generated:.1f} s); the summary has "
        f"{data['project_count']:,} rows, {len(data['sections'][0]['rows'])} parks, "
        f"{len(data['sections'][1]['rows'])} industries, {len(data['sections'][2]['rows'])} "
        f"stages; baseline fetched {fetched:,} rows\n"
        f"  (c) plain SQL aggregates + rows   {c:8.3f} s   1.0×\n"
        f"  (m) figures.monthly               {m:8.3f} s   {m / c:.2f}×   "
        f"({len(ctx.captured_queries)} queries)\n"
        f"  (x) Excel file                    {x:8.3f} s   {x / c:.2f}×   "
        f"({len(content) / 1e6:.1f} MB)\n"
        f"  red-light projects in the summary: {red:,}"
    )
    return 0
