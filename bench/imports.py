"""A district's own ledger brought in (补录导入) through the real path, against plain baselines.

``python -m bench import [--database URL] [--rows 500,5000] [--repeat 3]``

For each size N the benchmark builds a throwaway database (a SQLite file under /tmp by default,
or the PostgreSQL database ``--database`` names, created if missing — its name must contain
``bench``), migrates it and creates one district with its reference data (a zone, four parks,
four industries, the investment-promotion bureau and a bureau user who may import). It writes
an office-shaped workbook under /tmp: sheet "项目台账" with N projects (a merged title row, a
merged unit line, a two-level merged header — 计划投资 over 总投资/固定资产投资（亿元）, 推进情况
over the stage dates —, 序号, amounts in 亿元, dates as text in the forms offices type, stages in
their words such as 在建/已签约/已投产, parks shortened as offices write them, 备注 and a
合计 row) and sheet "企业名录" with the N investing enterprises (valid credit codes). Then,
through ``zhaoshang.onboarding.services`` as the wizard calls it:

(a)  ``create_batch`` with the file (read every sheet, guess each sheet's kind and header row,
     suggest the columns, units and values) and ``save_sheets`` (the mapping accepted; a value
     without a suggestion is mapped as a user would, and counted);
(b)  ``check``: the dry run over both sheets, nothing saved (its problems must be 0);
(c)  ``run``: the import, all or nothing, with the batch's records and its snapshot;
(d)  ``core.imports.batches.undo``: the whole batch deleted again;

and, in the same run, the baselines:

(b0) openpyxl loading the same file read-only and iterating every row of every sheet;
(c0) ``bulk_create`` of N bare enterprises and N bare projects in one transaction (removed
     again by plain SQL afterwards, untimed).

Each repeat makes a new batch from the same file on the database the previous repeat's undo
left empty. Times are min / median over ``--repeat``; (a)/(b) are given as a ratio to (b0),
(c)/(d) to (c0); rows per second count the data rows of both sheets (2N). The peak RSS is the
process's (``resource.getrusage``) after each step: it only grows, so a size's figures include
the sizes before it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import shutil
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.workdays import DEFAULT_DATABASE, Refused, prepare_database, setup_django

MEDIA_ROOT = "/tmp/zhaoshang-bench-import-media"
LEDGER = "/tmp/zhaoshang-bench-import-{n}.xlsx"
AS_OF = datetime.date(2026, 11, 30)  # the ledger's cut-off (截至11月底), clamped to yesterday
SEED = 2026

# (our park, our industry); the office writes the park as "…园" (装备制造产业园 → 装备制造园).
PARKS = (
    ("装备制造产业园", "装备制造"),
    ("食品饮料产业园", "食品饮料"),
    ("新能源产业园", "新能源"),
    ("电子信息产业园", "电子信息"),
)
PRODUCTS = (
    "智能装备",
    "精密轴承",
    "休闲食品",
    "储能电池",
    "光伏组件",
    "芯片封测",
    "传感器",
    "冷链物流",
)
# The office's stage words, their weight and the stage dates each row gives.
STAGES = (
    ("在谈", 1, ()),
    ("已签约", 3, ("signed",)),
    ("已注册", 2, ("signed", "registered")),
    ("在建", 2, ("signed", "registered", "started")),
    ("开工建设", 1, ("signed", "registered", "started")),
    ("已投产", 2, ("signed", "registered", "started", "production")),
)
DATE_HEADERS = {
    "signed": "签约时间",
    "registered": "注册时间",
    "started": "开工时间",
    "production": "投产时间",
}
GAP_DAYS = {"registered": (15, 50), "started": (60, 180), "production": (240, 420)}
ORIGINS = ("本地", "本地", "省内", "省外", "省外", "境外")
NOTES = ("", "", "", "重点项目", "外资", "续建", "市级重点", "待补资料")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE.replace("bench", "bench-import"))
    parser.add_argument("--rows", default="500,5000", help="project rows per size, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.rows.split(",") if s.strip()]
    except ValueError:
        parser.error("--rows takes whole numbers separated by commas")
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1:
        parser.error("need sizes >= 1 and repeat >= 1")
    if max(args.sizes) > 5000:
        parser.error("an import takes at most 5,000 rows per sheet (Importer.max_rows)")
    return args


# --- the district ------------------------------------------------------------------------------


def make_district():
    """One district with what the ledger names: parks, industries, the bureau and its user."""
    from django.contrib.auth.models import Group

    from zhaoshang.core.roles import Role
    from zhaoshang.org.choices import IndustryCategory
    from zhaoshang.org.models import Department, District, Industry, Park, User, Zone

    district = District.objects.create(code="bench", name="基准区", city="基准市")
    zone = Zone.objects.create(
        district=district, code="Z1", name="基准工业集中发展区", area_km2=Decimal(20)
    )
    for i, (park, industry) in enumerate(PARKS, start=1):
        Park.objects.create(
            district=district, zone=zone, code=f"P{i}", name=park, area_km2=Decimal(5)
        )
        Industry.objects.create(
            district=district, name=industry, category=IndustryCategory.LEADING, sort_order=i
        )
    bureau = Department.objects.create(district=district, name="区投资促进局", short_name="投促局")
    user = User.objects.create(
        username="bench-bureau", district=district, department=bureau, real_name="基准投促"
    )
    user.groups.add(Group.objects.get(name=Role.BUREAU))
    return district, user


# --- the ledger --------------------------------------------------------------------------------


def office_date(day: datetime.date, form: int) -> str:
    """A date as an office types it."""
    return (
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}-{day.month}-{day.day}",
        f"{day.year}/{day.month}/{day.day}",
    )[form % 4]


def office_park(name: str) -> str:
    return name.replace("产业园", "园")


def credit_code(i: int) -> str:
    from zhaoshang.enterprises.creditcode import make_credit_code

    return make_credit_code(f"91510100MA{i:07d}")


def ledger_rows(n: int, seed: int, as_of: datetime.date):
    """(project rows, enterprise rows) as the office writes them."""
    rng = random.Random(seed)
    words = [w for w, weight, _dates in STAGES for _ in range(weight)]
    dates_of = {w: dates for w, _weight, dates in STAGES}
    projects, enterprises = [], []
    for i in range(1, n + 1):
        park, industry = PARKS[rng.randrange(len(PARKS))]
        product = PRODUCTS[rng.randrange(len(PRODUCTS))]
        enterprise = f"基准{product}{i:05d}有限公司"
        code = credit_code(i)
        enterprises.append(
            [i, enterprise, code, ORIGINS[rng.randrange(len(ORIGINS))], f"法人{i}", ""]
        )
        stage = words[rng.randrange(len(words))]
        reached = dates_of[stage]
        day = as_of - datetime.timedelta(days=rng.randint(20, 200))
        dates = {}
        for key in reversed(reached):
            dates[key] = day
            if key in GAP_DAYS:
                day -= datetime.timedelta(days=rng.randint(*GAP_DAYS[key]))
        total = Decimal(rng.randint(5, 300)) / 10  # 0.5–30 亿元
        fixed = (total * Decimal(rng.randint(60, 90)) / 100).quantize(Decimal("0.01"))
        projects.append(
            [
                i,
                f"{product}{industry}项目（{i}）",
                enterprise,
                code,
                industry,
                office_park(park),
                str(total),
                str(fixed),
                stage,
                *(
                    office_date(dates[key], rng.randrange(4)) if key in dates else ""
                    for key in DATE_HEADERS
                ),
                NOTES[rng.randrange(len(NOTES))],
            ]
        )
    return projects, enterprises


def write_ledger(path: str, n: int, seed: int) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    as_of = min(AS_OF, datetime.date.today() - datetime.timedelta(days=1))
    projects, enterprises = ledger_rows(n, seed, as_of)
    book = Workbook()
    ws = book.active
    ws.title = "项目台账"
    heads = ["序号", "项目名称", "投资主体", "统一社会信用代码", "所属产业", "所属园区"]
    groups = [("计划投资", ["总投资（亿元）", "固定资产投资（亿元）"]), ("项目进度", None)]
    groups += [("推进情况", list(DATE_HEADERS.values())), ("备注", None)]
    width = len(heads) + 2 + 1 + len(DATE_HEADERS) + 1
    last = get_column_letter(width)
    ws["A1"] = f"基准区招商引资项目推进台账（截至{as_of.year}年{as_of.month}月底）"
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = "填报单位：区投资促进局　　　　金额单位：亿元"
    ws.merge_cells(f"A2:{last}2")
    column = 1
    for name in heads:
        ws.cell(3, column, name)
        ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        column += 1
    for name, subs in groups:
        ws.cell(3, column, name)
        if subs is None:
            ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
            column += 1
            continue
        ws.merge_cells(
            start_row=3, start_column=column, end_row=3, end_column=column + len(subs) - 1
        )
        for sub in subs:
            ws.cell(4, column, sub)
            column += 1
    for row in projects:
        ws.append(row)
    ws.append(["", "合计", "", "", "", "", str(sum(Decimal(r[6]) for r in projects))])
    es = book.create_sheet("企业名录")
    es["A1"] = "基准区招商引资企业名录"
    es.merge_cells("A1:F1")
    es.append(["序号", "企业名称", "统一社会信用代码", "企业来源", "法定代表人", "备注"])
    for row in enterprises:
        es.append(row)
    book.save(path)


# --- the baselines -----------------------------------------------------------------------------


def openpyxl_rows(path: str) -> int:
    """(b0) The file loaded read-only by openpyxl, every row of every sheet iterated."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for ws in book.worksheets for _row in ws.iter_rows(values_only=True))
    finally:
        book.close()


def bulk_insert(district, n: int) -> None:
    """(c0) N bare enterprises and N bare projects, bulk-created in one transaction."""
    from django.db import transaction

    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.org.models import Park
    from zhaoshang.projects.models import Project

    park = Park.objects.filter(district=district).order_by("id").first()
    with transaction.atomic():
        enterprises = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    district=district,
                    name=f"基线企业{i:05d}",
                    credit_code=credit_code(900_000 + i),
                    origin="local",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
        Project.objects.bulk_create(
            [
                Project(
                    district=district,
                    code=f"BASE-{i:06d}",
                    name=f"基线项目{i}",
                    name_initials="jxxm",
                    name_pinyin="jixianxiangmu",
                    park=park,
                    enterprise=e,
                    total_investment=Decimal(10000),
                )
                for i, e in enumerate(enterprises)
            ],
            batch_size=1000,
        )


def remove_baseline(district) -> None:
    from django.db import connection, transaction

    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.projects.models import Project

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Project._meta.db_table} WHERE district_id = %s AND code LIKE 'BASE-%%'",
            [district.pk],
        )
        cursor.execute(
            f"DELETE FROM {Enterprise._meta.db_table} WHERE district_id = %s "
            "AND name LIKE '基线企业%%'",
            [district.pk],
        )


# --- the real path -----------------------------------------------------------------------------


def read_and_map(path: str, user) -> tuple[object, int]:
    """(a) The upload as a batch with the suggested mapping, accepted; values without a
    suggestion mapped as a user would (returns how many)."""
    from django.core.files import File

    from zhaoshang.core.imports.mapping import choice_columns
    from zhaoshang.onboarding import registry, services

    with open(path, "rb") as handle:
        batch = services.create_batch(user, File(handle, name="基准区项目台账.xlsx"), "workbook")
    by_hand = by_hand_columns(batch, user)
    sheets = services.sheets(batch)
    for index, sheet in enumerate(sheets):
        if not sheet.get("kind"):
            continue
        cls = registry.importer_class(sheet["kind"])
        grid = services.grid_of(batch, index)
        rows = services.data_rows(grid, int(sheet["header_row"]))
        keys = list(sheet["columns"])
        for column in choice_columns(cls(user, batch.district)):
            if column.key not in keys:
                continue
            mapped = sheet["values"].setdefault(column.key, {})
            for value in services.distinct_values(rows, keys.index(column.key)):
                if value not in mapped:
                    ours = by_hand_value(column, value)
                    if ours:
                        mapped[value] = ours
                        by_hand += 1
    services.save_sheets(batch, sheets)
    return batch, by_hand


# Headers an office writes that the wizard does not suggest a column for: the user picks it.
BY_HAND_COLUMNS = {"企业来源": "origin"}


def by_hand_columns(batch, user) -> int:
    """Map the columns the wizard did not suggest as the user does on the columns page; the
    values page then suggests the new columns' values."""
    from zhaoshang.onboarding import registry, services

    count = 0
    for index, sheet in enumerate(services.sheets(batch)):
        if not sheet.get("kind"):
            continue
        grid = services.grid_of(batch, index)
        headers = services.header_names(grid, int(sheet["header_row"]))
        columns, changed = sheet["columns"], False
        for i, header in enumerate(headers):
            key = BY_HAND_COLUMNS.get(header)
            if key and i < len(columns) and not columns[i] and key not in columns:
                columns[i], changed = key, True
                count += 1
        if changed:
            cls = registry.importer_class(sheet["kind"])
            found = services.suggested_values(batch, sheet, grid, cls, user)
            sheet["values"] = dict(found, **(sheet.get("values") or {}))
    return count


def by_hand_value(column, value: str) -> str | None:
    """What the user picks on the values page for a value the wizard did not guess."""
    if column.key == "park":
        return next((park for park, _i in PARKS if office_park(park) == value), None)
    return None


def mapping_summary(batch) -> list[str]:
    from zhaoshang.onboarding import services

    lines = []
    for index, sheet in enumerate(services.sheets(batch)):
        grid = services.grid_of(batch, index)
        headers = services.header_names(grid, int(sheet["header_row"]))
        columns = sheet.get("columns") or []
        mapped = [f"{h}→{k}" for h, k in zip(headers, columns, strict=False) if k]
        skipped = [h for h, k in zip(headers, columns, strict=False) if not k]
        lines.append(
            f"  sheet {sheet['name']}: kind {sheet['kind'] or '—'}, header row "
            f"{int(sheet['header_row']) + 1}, units {sheet.get('units') or {}}; "
            f"{len(mapped)} columns mapped, not mapped: {', '.join(skipped) or '—'}"
        )
    return lines


def fresh_database(url: str) -> None:
    """An empty migrated database: SQLite migrated once per run, then copied for each size."""
    from django.db import connection

    from bench.scan import migrate

    connection.close()
    where = prepare_database(url)
    if not url.lower().startswith("sqlite"):
        migrate()
        return
    template = Path(f"{where}.migrated")
    if template.exists():
        shutil.copyfile(template, where)
        return
    migrate()
    connection.close()
    shutil.copyfile(where, template)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def clock(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - start, value


def measure(n: int, args) -> dict:
    from zhaoshang.core.imports import batches
    from zhaoshang.core.models import ImportedRecord, ImportStatus
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.onboarding import services
    from zhaoshang.projects.models import Project

    fresh_database(args.database)
    district, user = make_district()
    path = LEDGER.format(n=n)
    written, _ = clock(lambda: write_ledger(path, n, args.seed))
    out = {"n": n, "rows": 2 * n, "written": written, "bytes": Path(path).stat().st_size}
    times = {k: [] for k in ("b0", "c0", "a", "b", "c", "d")}
    rss = {}
    for repeat in range(args.repeat):
        t, out["sheet_rows"] = clock(lambda: openpyxl_rows(path))
        times["b0"].append(t)
        rss["b0"] = peak_mb()
        times["c0"].append(clock(lambda: bulk_insert(district, n))[0])
        rss["c0"] = peak_mb()
        remove_baseline(district)

        t, (batch, out["by_hand"]) = clock(lambda: read_and_map(path, user))
        times["a"].append(t)
        rss["a"] = peak_mb()
        if repeat == 0:
            out["mapping"] = mapping_summary(batch)
        t, _ = clock(services.check, batch, user)
        times["b"].append(t)
        rss["b"] = peak_mb()
        out["problems"] = batch.problem_count
        if batch.problem_count:
            out["problem_rows"] = batch.problems[:10]
            break
        t, _ = clock(services.run, batch, user)
        times["c"].append(t)
        rss["c"] = peak_mb()
        batch.refresh_from_db()
        if batch.status != ImportStatus.IMPORTED:
            out["problems"] = batch.problem_count
            out["problem_rows"] = batch.problems[:10]
            break
        out["created"] = {
            "rows": batch.created_count,
            "records": batch.records.count(),
            "by_row": batch.records.filter(row__isnull=False).count(),
            "projects": Project.objects.filter(district=district).count(),
            "enterprises": Enterprise.objects.filter(district=district).count(),
        }
        t, _ = clock(batches.undo, user, batch)
        times["d"].append(t)
        rss["d"] = peak_mb()
        left = Project.objects.filter(district=district).count()
        left += Enterprise.objects.filter(district=district).count()
        out["left_after_undo"] = left
        out["records_after_undo"] = ImportedRecord.objects.filter(batch=batch).count()
    out["times"], out["rss"] = times, rss
    return out


# --- the report --------------------------------------------------------------------------------

STEPS = (
    ("b0", "openpyxl read-only, every row", None),
    ("a", "read + suggest mapping", "b0"),
    ("b", "check (dry run)", "b0"),
    ("c0", "bulk_create N ent. + N proj.", None),
    ("c", "import (run)", "c0"),
    ("d", "undo", "c0"),
)


def report(row: dict, repeat: int) -> None:
    n, rows = row["n"], row["rows"]
    print(
        f"\n{n:,} projects + {n:,} enterprises ({rows:,} data rows, {row['bytes'] / 1024:.0f} KiB "
        f"written in {row['written']:.1f} s; openpyxl sees {row.get('sheet_rows', 0):,} rows)"
    )
    for line in row.get("mapping", []):
        print(line)
    if row.get("by_hand"):
        print(f"  columns and values mapped by hand (no suggestion): {row['by_hand']}")
    times = row["times"]
    print(f"  {'step':34} {'min s':>8} {'median s':>9} {'× base':>7} {'rows/s':>8} {'peak RSS':>9}")
    for key, label, base in STEPS:
        values = times[key]
        if not values:
            print(f"  ({key}) {label:29} {'—':>8}")
            continue
        low, mid = min(values), statistics.median(values)
        ratio = f"{mid / statistics.median(times[base]):6.1f}×" if base else "   1.0×"
        print(
            f"  ({key}) {label:29} {low:8.3f} {mid:9.3f} {ratio:>7} {rows / mid:8,.0f} "
            f"{row['rss'].get(key, 0):6.0f} MB"
        )
    print(f"  problems: {row.get('problems')} (must be 0)")
    for problem in row.get("problem_rows", []):
        print(f"    {problem}")
    if "created" in row:
        c = row["created"]
        print(
            f"  created: {c['rows']:,} rows with records, {c['by_row']:,} row records, "
            f"{c['records']:,} batch records in all (with the cascade's snapshot); "
            f"{c['projects']:,} projects, {c['enterprises']:,} enterprises"
        )
        print(
            f"  after the undo: {row['left_after_undo']} projects + enterprises left, "
            f"{row['records_after_undo']} batch records kept"
        )


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    try:
        where = prepare_database(args.database)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    os.environ["MEDIA_ROOT"] = MEDIA_ROOT  # the uploads and the progress files
    setup_django(args.database)
    load = os.getloadavg()
    print(
        f"ledger import benchmark on {where}; repeat {args.repeat}; "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    failed = False
    for n in args.sizes:
        row = measure(n, args)
        report(row, args.repeat)
        failed = failed or bool(row.get("problems")) or "created" not in row
    if args.database.lower().startswith("sqlite"):
        Path(f"{where}.migrated").unlink(missing_ok=True)
    load = os.getloadavg()
    print(f"\nload average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 1 if failed else 0
