"""Import of monthly progress and funds in place (补录, issue 20): the progress services'
checks, by row and column, all or nothing, amounts in 元/万元/亿元."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from zhaoshang.core.imports import template_workbook
from zhaoshang.core.models import DomainEvent
from zhaoshang.org.models import User
from zhaoshang.projects import services
from zhaoshang.projects.imports_figures import FundsImporter, MonthlyReportImporter
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project
from zhaoshang.projects.tests.test_import_team import label, problems, run

MONTHLY = [
    "序号",
    "项目名称",
    "填报月份",
    "当月投资",
    "累计投资",
    "本月到位资金",
    "形象进度",
    "存在问题",
]
FUNDS = ["序号", "项目", "到位日期", "到位资金", "资金来源", "资金用途", "备注"]


def by_row(result) -> dict[int, list[tuple[str, str]]]:
    rows: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in problems(result):
        rows.setdefault(row, []).append((column, message))
    return rows


# -- monthly progress -------------------------------------------------------------------------


def test_past_months_import_in_any_form_and_count_as_filed_on_time(world):
    p1 = world.project1_a  # signed on 2026-03-02; today is 2026-06-15
    rows = [
        [1, p1.code, "2026年3月", 100, 100, 50, "场地平整", ""],
        [2, p1.name, "2026.4", "0.015亿元", "2,500,000元", 0, "主体开工", "缺电"],
        [3, p1.code, datetime.datetime(2026, 5, 1), 150, 400, None, "主体封顶", None],
        [4, p1.code, "202606", 0, 400, None, "设备进场", None],
    ]
    result = run(MonthlyReportImporter, world.user_bureau, world.district_a, MONTHLY, rows)
    assert result.ok, problems(result)
    reports = {r.month: r for r in MonthlyReport.objects.filter(project=p1)}
    assert sorted(reports) == [datetime.date(2026, m, 1) for m in (3, 4, 5, 6)]
    april = reports[datetime.date(2026, 4, 1)]
    assert april.investment_this_month == Decimal("150")
    assert april.investment_cumulative == Decimal("250")
    assert april.problems == "缺电" and april.image_progress == "主体开工"
    assert reports[datetime.date(2026, 3, 1)].funds_this_month == Decimal("50")
    assert reports[datetime.date(2026, 5, 1)].funds_this_month == Decimal("0")
    assert all(r.submitted_by == world.user_bureau for r in reports.values())
    assert not any(r.is_late or r.is_correction for r in reports.values())
    march = reports[datetime.date(2026, 3, 1)]
    assert timezone.localdate(march.submitted_at) == datetime.date(2026, 4, 5)
    assert reports[datetime.date(2026, 6, 1)].submitted_at == timezone.now()  # due later
    verbs = DomainEvent.objects.filter(verb__startswith="project.monthly").values_list(
        "verb", flat=True
    )
    assert list(verbs).count("project.monthly_report_imported") == 4
    assert "project.monthly_reports_imported" in verbs


def test_every_monthly_check_is_named_by_row_and_column(world):
    p1, p2 = world.project1_a, world.project2_a
    services.submit_monthly_report(
        world.user_bureau,
        p1,
        {
            "month": datetime.date(2026, 5, 1),
            "investment_this_month": Decimal("100"),
            "investment_cumulative": Decimal("500"),
            "image_progress": "主体施工",
        },
    )
    before = MonthlyReport.objects.count()
    rows = [
        [1, p1.code, "2026-03", 100, 100, 0, "平整", ""],  # good
        [2, p1.code, "2026-02", 10, 10, 0, "早于签约", ""],
        [3, p1.code, "2026-07", 10, 600, 0, "未来月份", ""],
        [4, p1.code, "2026-03", 100, 100, 0, "重复", ""],  # row 3 has March
        [5, p1.code, "2026-05", 10, 500, 0, "已填报", ""],
        [6, p1.code, "2026-04", 300, 200, 0, "累计小于当月", ""],
        [7, p2.code, "2026-05", 10, 10, 0, "未签约", ""],
        [8, p1.code, "2026-13", 10, 10, 0, "坏月份", ""],
        [9, p1.code, "2026-06", -5, 520, 0, "负数", ""],
        [10, p1.code, "2026-06", 5, 510, 0, None],  # no progress text
        [11, world.project1_b.code, "2026-04", 5, 5, 0, "外区", ""],
    ]
    result = run(MonthlyReportImporter, world.user_bureau, world.district_a, MONTHLY, rows)
    assert not result.ok and result.created == []
    got = by_row(result)
    project, month, this, cumulative, progress = (
        label(MonthlyReportImporter, k)
        for k in (
            "project",
            "month",
            "investment_this_month",
            "investment_cumulative",
            "image_progress",
        )
    )
    assert 3 not in got
    assert got[4] == [(month, got[4][0][1])] and "2026-03-02" in got[4][0][1]
    assert got[5][0][0] == month
    assert got[6][0][0] == month and "3" in got[6][0][1]
    assert got[7][0][0] == month and "2026-05" in got[7][0][1]
    assert got[8] == [(cumulative, got[8][0][1])]
    assert got[9][0][0] == project
    assert got[10][0][0] == month and "2026-13" in got[10][0][1]
    assert got[11][0][0] == this
    assert got[12] == [(progress, got[12][0][1])]
    assert got[13][0][0] == project
    assert set(got) == set(range(4, 14)), got
    assert MonthlyReport.objects.count() == before


def test_the_cumulative_investment_never_goes_back(world):
    """In the file (whatever the order of its rows) and against the months filed."""
    p1 = world.project1_a
    services.submit_monthly_report(
        world.user_bureau,
        p1,
        {
            "month": datetime.date(2026, 5, 1),
            "investment_this_month": Decimal("100"),
            "investment_cumulative": Decimal("500"),
            "image_progress": "主体施工",
        },
    )
    rows = [
        [1, p1.code, "2026-04", 50, 300, 0, "四月", ""],
        [2, p1.code, "2026-03", 350, 350, 0, "三月", ""],  # more than April's, a row above
        [3, p1.code, "2026-06", 10, 450, 0, "六月", ""],  # less than May's, filed
    ]
    result = run(MonthlyReportImporter, world.user_bureau, world.district_a, MONTHLY, rows)
    got = by_row(result)
    cumulative = label(MonthlyReportImporter, "investment_cumulative")
    assert got[3][0][0] == cumulative and "2026-03" in got[3][0][1] and "4" in got[3][0][1]
    assert got[5][0][0] == cumulative and "2026-05" in got[5][0][1]
    assert set(got) == {3, 5}
    assert MonthlyReport.objects.filter(project=p1).count() == 1


# -- funds in place -----------------------------------------------------------------------------


def test_funds_in_place_import_with_their_units_and_aliases(world):
    p1 = world.project1_a
    rows = [
        [1, p1.code, "2026.3.10", "1,200万元", "省外", "固定资产", "首笔"],
        [2, p1.name, "2026年4月2日", "0.5亿元", "市内", "流动资金", None],
        [3, p1.code, datetime.datetime(2026, 5, 6), 300, "In the city", "Fixed assets", ""],
    ]
    result = run(FundsImporter, world.user_bureau, world.district_a, FUNDS, rows)
    assert result.ok, problems(result)
    entries = list(FundsEntry.objects.filter(project=p1).order_by("received_on"))
    assert [(e.received_on, e.amount, e.origin, e.use) for e in entries] == [
        (datetime.date(2026, 3, 10), Decimal("1200"), "out_of_province", "fixed_assets"),
        (datetime.date(2026, 4, 2), Decimal("5000"), "in_city", "working_capital"),
        (datetime.date(2026, 5, 6), Decimal("300"), "in_city", "fixed_assets"),
    ]
    assert entries[0].note == "首笔" and entries[0].recorded_by == world.user_bureau
    assert DomainEvent.objects.filter(verb="project.funds_imported").count() == 1
    assert DomainEvent.objects.filter(verb="project.funds_recorded").count() == 3


def test_every_funds_check_is_named_by_row_and_column(world):
    p1, p2 = world.project1_a, world.project2_a
    services.record_funds(
        world.user_bureau,
        p1,
        {
            "received_on": datetime.date(2026, 3, 1),
            "amount": Decimal("800"),
            "origin": "in_city",
            "use": "fixed_assets",
        },
    )
    rows = [
        [1, p1.code, "2026-04-01", 100, "省外", "固定资产", ""],  # good
        [2, p2.code, "2026-04-01", 100, "省外", "固定资产", ""],  # not signed
        [3, p1.code, "2026-07-01", 100, "省外", "固定资产", ""],  # future
        [4, p1.code, "2026-04-02", 0, "省外", "固定资产", ""],  # zero
        [5, p1.code, "2026-04-03", 100, "火星", "固定资产", ""],
        [6, p1.code, "2026-04-03", 100, "省外", "吃饭", ""],
        [7, p1.code, "2026-04-01", 100, "市内", "流动资金", ""],  # row 3 again
        [8, p1.code, "2026-03-01", "800万元", "市内", "固定资产", ""],  # recorded already
        [9, p1.code, "三月", 100, "省外", "固定资产", ""],
        [10, p1.code, "2026-04-05", "很多", "省外", "固定资产", ""],
    ]
    before = FundsEntry.objects.count()
    result = run(FundsImporter, world.user_bureau, world.district_a, FUNDS, rows)
    assert not result.ok and result.created == []
    got = by_row(result)
    project, date, amount, origin, use = (
        label(FundsImporter, k) for k in ("project", "received_on", "amount", "origin", "use")
    )
    assert 3 not in got
    assert got[4][0][0] == project
    assert got[5] == [(date, got[5][0][1])]
    assert got[6] == [(amount, got[6][0][1])]
    assert got[7][0][0] == origin and "火星" in got[7][0][1]
    assert got[8][0][0] == use and "吃饭" in got[8][0][1]
    assert got[9][0][0] == amount and "3" in got[9][0][1]
    assert got[10][0][0] == amount
    assert got[11][0][0] == date and "三月" in got[11][0][1]
    assert got[12][0][0] == amount
    assert set(got) == set(range(4, 13)), got
    assert FundsEntry.objects.count() == before


# -- what every importer shares -----------------------------------------------------------------


@pytest.mark.parametrize("importer_class", [MonthlyReportImporter, FundsImporter])
def test_only_the_registry_editors_import(world, importer_class):
    header = MONTHLY if importer_class is MonthlyReportImporter else FUNDS
    for username in ("department", "leader", "officer", "enterprise"):
        with pytest.raises(PermissionDenied):
            run(importer_class, User.objects.get(username=username), world.district_a, header, [])
    assert importer_class(world.user_admin, world.district_a).allowed()
    assert not importer_class(world.user_bureau, world.district_b).allowed()


@pytest.mark.parametrize(
    ("importer_class", "header", "good", "bad"),
    [
        (
            MonthlyReportImporter,
            MONTHLY,
            lambda code, i: [i, code, f"2026-0{3 + i % 4}", 10, 10 * (i % 4 + 1), 0, "进展", ""],
            lambda code, i: [i, code, "坏月份", 10, 10, 0, "进展", ""],
        ),
        (
            FundsImporter,
            FUNDS,
            lambda code, i: [i, code, f"2026-04-{i:02d}", 10, "省外", "固定资产", ""],
            lambda code, i: [i, code, "2026-04-01", 10, "火星", "固定资产", ""],
        ),
    ],
)
def test_the_checks_cost_the_same_queries_for_3_rows_and_30(
    world, importer_class, header, good, bad
):
    """References are loaded once per kind: a file of bad rows (nothing reaches the
    services) costs the same for 3 rows and 30; a good file a bounded number per row."""
    codes = [world.project1_a.code, world.project2_a.name]

    def count(rows):
        with CaptureQueriesContext(connection) as queries:
            result = run(importer_class, world.user_bureau, world.district_a, header, rows)
        return len(queries), result

    count([bad(codes[0], 1)])  # (the first run reads what stays cached)
    few, _ = count([bad(codes[i % 2], i) for i in range(3)])
    many, result = count([bad(codes[i % 2], i) for i in range(30)])
    assert few == many and result.problem_count == 30
    rows = [good(world.project1_a.code, i) for i in range(1, 5)]
    queries, result = count(rows)
    assert result.ok, problems(result)
    assert queries <= 8 + 14 * len(rows)


def test_the_templates_have_their_sheets_and_notes(db):
    for importer_class, title in (
        (MonthlyReportImporter, "Monthly progress"),
        (FundsImporter, "Funds in place"),
    ):
        with translation.override("en"):
            content = template_workbook(importer_class(None, None))
        book = openpyxl.load_workbook(io.BytesIO(content))
        assert book.sheetnames[0] == title
        header = [c.value for c in book.worksheets[0][1]]
        with translation.override("en"):
            assert header == [str(c.label) for c in importer_class.columns]
        assert book.worksheets[1].max_row > len(importer_class.columns)


def test_a_project_imported_with_its_name_twice_needs_its_code(world):
    twin = Project.objects.create(
        district=world.district_a,
        code="ZS-2026-0088",
        name=world.project1_a.name,
        park=world.park1_a,
        total_investment=100,
    )
    rows = [[1, world.project1_a.name, "2026-04-01", 10, "省外", "固定资产", ""]]
    result = run(FundsImporter, world.user_bureau, world.district_a, FUNDS, rows)
    (message,) = [m for _r, _c, m in problems(result)]
    assert twin.code in message and world.project1_a.code in message


def test_one_workbook_imports_in_one_batch_and_is_undone_as_a_whole(world):
    """Team, months and funds of a district's own sheets (rows already mapped, a column in
    亿元) in one transaction, each record linked to its sheet and row; the undo deletes them
    all while nothing was recorded on them since."""
    from django.core.files.base import ContentFile

    from zhaoshang.core.imports import Row, batches
    from zhaoshang.core.imports.importer import run_all
    from zhaoshang.core.models import ImportBatch, ImportedRecord
    from zhaoshang.projects.imports_team import TeamImporter

    p1, p2 = world.project1_a, world.project2_a
    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file=ContentFile(b"PK", name="台账.xlsx"),
        file_name="台账.xlsx",
        created_by=world.user_bureau,
    )
    user, district = world.user_bureau, world.district_a
    team = TeamImporter(user, district, batch=batch, sheet="项目团队")
    monthly = MonthlyReportImporter(user, district, batch=batch, sheet="月度进展")
    funds = FundsImporter(user, district, batch=batch, sheet="到位资金", units={"amount": "100m"})
    parts = [
        (
            team,
            [
                Row(4, {"project": p2.name, "role": "项目经理", "user": "leader"}),
                Row(5, {"project": p2.name, "role": "联系领导", "user": "leader"}),
            ],
        ),
        (
            monthly,
            [
                Row(
                    4,
                    {
                        "project": p1.code,
                        "month": "2026年4月",
                        "investment_this_month": 20,
                        "investment_cumulative": "0.1亿元",
                        "image_progress": "主体开工",
                    },
                )
            ],
        ),
        (
            funds,
            [
                Row(
                    4,
                    {
                        "project": p1.code,
                        "received_on": "2026.4.8",
                        "amount": 0.5,
                        "origin": "省外资金",
                        "use": "固定资产投资",
                    },
                )
            ],
        ),
    ]
    result = run_all(parts, batch=batch)
    assert result.ok, [(p.sheet, p.row, p.column, p.message) for p in result.problems]
    batches.finish(batch)
    entry = FundsEntry.objects.get(project=p1)
    assert entry.amount == Decimal("5000")  # 0.5 亿元
    report = MonthlyReport.objects.get(project=p1)
    assert report.investment_cumulative == Decimal("1000")
    recorded = {
        (r.sheet, r.row) for r in ImportedRecord.objects.filter(batch=batch, row__isnull=False)
    }
    assert recorded == {("项目团队", 4), ("月度进展", 4), ("到位资金", 4)}
    assert batches.undo_blockers(batch) == []
    batches.undo(world.user_admin, batch)
    assert not FundsEntry.objects.filter(project=p1).exists()
    assert not MonthlyReport.objects.filter(project=p1).exists()
    assert not p2.team_members.exists()


def test_the_mapping_reads_an_offices_headers_and_words(world):
    """The wizard's suggestions: the ledger's headers to our columns, their words for origin,
    use and team role to our choices, their project names to our projects."""
    from zhaoshang.core.imports import mapping
    from zhaoshang.projects.imports_team import TeamImporter

    headers = ["序号", "项目名称", "到位时间", "到位金额（万元）", "资金来源", "资金用途", "备注"]
    assert mapping.suggest_columns(FundsImporter, headers) == [
        None,
        "project",
        "received_on",
        "amount",
        "origin",
        "use",
        "note",
    ]
    headers = ["项目名称", "月份", "当月完成投资（万元）", "累计完成投资（万元）", "形象进度"]
    assert mapping.suggest_columns(MonthlyReportImporter, headers) == [
        "project",
        "month",
        "investment_this_month",
        "investment_cumulative",
        "image_progress",
    ]
    funds = FundsImporter(world.user_bureau, world.district_a)
    origin, use = funds.column("origin"), funds.column("use")
    assert mapping.suggest_values(funds, origin, ["省外资金", "市内资金", "省内资金"]) == {
        "省外资金": "out_of_province",
        "市内资金": "in_city",
        "省内资金": "in_province",
    }
    assert mapping.suggest_values(funds, use, ["固定资产投资", "流动资金"]) == {
        "固定资产投资": "fixed_assets",
        "流动资金": "working_capital",
    }
    project = funds.column("project")
    p1 = world.project1_a
    assert mapping.suggest_values(funds, project, [p1.name]) == {p1.name: f"{p1.code} {p1.name}"}
    team = TeamImporter(world.user_bureau, world.district_a)
    roles = mapping.suggest_values(team, team.column("role"), ["项目经理", "包抓领导", "专班"])
    assert roles == {
        "项目经理": "manager",
        "包抓领导": "designated_leader",
        "专班": "leading_group",
    }


def test_the_service_files_an_imported_month_once_and_not_before_the_signing(world):
    """``submit_monthly_report(imported=True)`` itself (what the importer checks first):
    never a correction, never a month filed already, none before the signing."""
    from django.core.exceptions import ValidationError

    p1 = world.project1_a  # signed on 2026-03-02
    month = {
        "investment_this_month": Decimal("10"),
        "investment_cumulative": Decimal("10"),
        "image_progress": "进场",
    }
    report = services.submit_monthly_report(
        world.user_bureau,
        p1,
        {**month, "month": datetime.date(2026, 3, 1), "is_correction": True},
        imported=True,
    )
    assert not report.is_correction and not report.is_late
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 2, 1)):
        with pytest.raises(ValidationError) as refused:
            services.submit_monthly_report(
                world.user_bureau, p1, {**month, "month": day}, imported=True
            )
        assert list(refused.value.message_dict) == ["month"]
    assert MonthlyReport.objects.filter(project=p1).count() == 1
