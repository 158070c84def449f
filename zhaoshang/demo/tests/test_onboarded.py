"""The example ledger (onboarding/examples/ledger-example.xlsx, written by demo/ledger) and the demo's district onboarded from it, 南城区.

The first tests read the committed workbook with openpyxl only (no demo load): it is in the
office's shape (a merged title, a unit line, a two-level merged header, 序号, amounts in 亿元,
dates as text in mixed forms and one date cell, a 合计 row) and names only what the demo's
third district has. The last ones read the loaded demo.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from zhaoshang.demo import onboarded
from zhaoshang.demo.ledger import make_example
from zhaoshang.demo.ledger.make_example import EXAMPLE, build_workbook

SHEETS = ["项目台账", "企业名录", "协议", "双方义务", "在办审批", "地块", "月度进展", "到位资金"]
SHEETS += ["项目团队"]
DATE_FORMS = re.compile(r"^\d{4}(\.\d{1,2}\.\d{1,2}|年\d{1,2}月\d{1,2}日|-\d{1,2}-\d{1,2})$")


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(EXAMPLE)


def _rows(ws, first):
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(r)]


def test_the_committed_file_is_what_the_generator_writes_for_the_demo(workbook):
    written = io.BytesIO()
    build_workbook(onboarded.ledger_names_of_spec(), make_example.AS_OF).save(written)
    fresh = load_workbook(written)
    assert fresh.sheetnames == workbook.sheetnames == SHEETS
    for ws in workbook.worksheets:
        mine = [tuple(r) for r in fresh[ws.title].iter_rows(values_only=True)]
        assert [tuple(r) for r in ws.iter_rows(values_only=True)] == mine, ws.title


def test_the_ledger_sheet_is_in_the_office_shape(workbook):
    ws = workbook["项目台账"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:O1", "A2:O2", "H3:M3", "A3:A4", "B3:B4", "O3:O4"} <= merged
    assert ws["A1"].value == "南城区2026年招商引资项目推进台账（截至11月底）"
    assert ws["A2"].value == "单位：亿元　填报单位：区投资促进局"
    assert ws["H3"].value == "推进情况"
    assert [c.value for c in ws[4]][7:13] == ["当前阶段", "签约时间", "注册时间", "供地时间", "开工时间", "投产时间"]  # fmt: skip
    rows = _rows(ws, 5)
    assert rows[-1][0] == "合计" and len(rows) == 41
    projects = rows[:-1]
    assert [r[0] for r in projects] == list(range(1, 41))
    assert any(isinstance(r[6], float) and not r[6].is_integer() for r in projects)
    stages = {r[7] for r in projects}
    assert stages == {"在谈", "已签约", "已注册", "已供地", "在建", "开工建设", "已投产"}
    cells = [v for r in projects for v in r[8:13] if v is not None]
    assert sum(isinstance(v, datetime.datetime) for v in cells) == 1
    texts = [v for v in cells if isinstance(v, str)]
    forms = {("." in v) + 2 * ("年" in v) for v in texts}
    assert forms == {0, 1, 2}  # 2025-9-1, 2025.3.15, 2025年6月1日
    bad = [v for v in texts if not DATE_FORMS.match(v) or ".13." in v]
    assert bad == [f"{projects[21][11]}"] and ".13." in bad[0]  # the one bad row (序号 22)
    assert sum(bool(r[14]) for r in projects) >= 15  # 备注


def test_the_corrected_ledger_has_no_bad_date():
    wb = build_workbook(onboarded.ledger_names_of_spec(), make_example.AS_OF, bad_row=False)
    row = _rows(wb["项目台账"], 5)[21]
    assert row[0] == make_example.BAD_ROW and DATE_FORMS.match(row[11]) and ".13." not in row[11]


def test_every_name_exists_in_the_onboarded_district(workbook):
    names = onboarded.ledger_names_of_spec()
    parks = {make_example.office_park(names, k) for k in names.parks}
    assert parks == {"新能源园", "生物医药园", "高端装备园", "数字经济园"}  # ours: …产业园
    assert not parks & set(names.parks.values())  # the office's names differ from ours
    ledger = _rows(workbook["项目台账"], 5)[:-1]
    assert {r[4] for r in ledger} == parks
    assert {r[13] for r in ledger} <= set(names.leaders)
    people = {row[0] for row in onboarded.STAFF} | {
        h for pair in onboarded.HEADS.values() for h in pair
    }
    team = _rows(workbook["项目团队"], 4)
    assert {r[2] for r in team} == {"项目经理", "项目秘书", "服务专员"}
    assert {r[3] for r in team if r[2] == "项目经理"} <= set(names.leaders)
    assert {r[3] for r in team if r[2] != "项目经理"} <= people
    departments = {row[1] for row in onboarded.DEPARTMENTS}
    cases = _rows(workbook["在办审批"], 4)
    assert {r[3] for r in cases} <= departments
    assert {r[7] for r in cases} == {"在办", "暂停", "延期"}
    assert {r[12] for r in cases if r[12]} <= set(names.leaders)
    duties = _rows(workbook["双方义务"], 4)
    assert {r[4] for r in duties if r[3] == "甲方"} <= departments


def test_the_figures_sheets_hold_the_last_months(workbook):
    monthly = _rows(workbook["月度进展"], 4)
    months = {r[2] for r in monthly}
    assert months == {f"2026年{m}月" for m in range(8, 12)}
    funds = _rows(workbook["到位资金"], 4)
    assert funds and all(r[3] > 0 for r in funds)


# --- the demo's 南城区, onboarded from its ledger ------------------------------------------------


def _south():
    from zhaoshang.org.models import District

    return District.objects.get(code=onboarded.CODE)


def test_the_onboarded_district_took_its_whole_ledger_in_one_confirmed_batch(today):
    from zhaoshang.core.models import ImportBatch, ImportStatus
    from zhaoshang.projects.models import Project, StageEvent

    district = _south()
    cutoff = onboarded.as_of(today)
    assert district.go_live_on == onboarded.go_live_after(cutoff) == datetime.date(2026, 11, 2)
    batch = ImportBatch.objects.get(district=district)
    assert batch.status == ImportStatus.IMPORTED and batch.file_name == onboarded.LEDGER_FILE
    assert batch.created_by.username == "admin3" and batch.confirmed_by.username == "bureau3"
    assert batch.problem_count == 0 and batch.created_count > 800
    created = batch.summary["created"]
    assert set(created) == set(SHEETS) and created["项目台账"] == 40
    projects = Project.objects.filter(district=district)
    assert projects.count() == 40
    # Every project of the district came from the ledger, with its imported history.
    assert batch.records.filter(sheet="项目台账", row__isnull=False).count() == 40
    events = StageEvent.objects.filter(project__district=district)
    assert events.exists() and not events.filter(is_imported=False).exists()
    assert all(p.signed_on <= cutoff for p in projects if p.signed_on)


def test_a_few_evidence_items_are_still_owed(today):
    from zhaoshang.projects.models import EvidenceOwed

    owed = EvidenceOwed.objects.filter(project__district=_south())
    still = {(o.project.name, o.material_type.code) for o in owed.open()}
    assert still == onboarded.STILL_OWED
    supplied = owed.exclude(supplied_on=None)
    assert supplied.count() > 10 * len(still)
    go_live = _south().go_live_on
    assert all(go_live <= o.supplied_on <= today for o in supplied)


def test_the_onboarded_district_is_mostly_green_with_a_few_reds(today):
    from zhaoshang.monitoring.models import Signal
    from zhaoshang.projects.models import Project

    district = _south()
    signals = Signal.objects.filter(district=district)
    red = signals.filter(light="red")
    lit = set(signals.exclude(project=None).values_list("project_id", flat=True))
    projects = Project.objects.filter(district=district).count()
    titles = sorted(signals.values_list("light", "title"))
    assert len(lit) <= projects * 0.3 and red.count() <= 4, titles
    late = {"轨道交通装备零部件项目", "智能农机装备制造项目"}
    assert late <= set(red.values_list("project__name", flat=True)), titles
