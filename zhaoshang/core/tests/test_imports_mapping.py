"""Mapping a district's own sheet: columns from the header names, units from the header,
values to our choices and records, the rows built, the mapping saved for next time."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy

from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Money,
    Ref,
    RefList,
    Text,
    YesNo,
)
from zhaoshang.core.imports.mapping import (
    build_rows,
    choice_columns,
    save_mapping,
    saved_mapping,
    sheet_unit,
    suggest_columns,
    suggest_unit,
    suggest_values,
)
from zhaoshang.core.imports.sources import Grid
from zhaoshang.core.models import ImportMapping
from zhaoshang.org.models import Park
from zhaoshang.projects.choices import Stage

PARKS = Ref(
    lambda imp: Park.objects.filter(district=imp.district).order_by("id"),
    keys=lambda p: [p.name, p.code],
    not_found="No park “%(value)s”.",
    label=lambda p: p.name,
)


class Ledger(Importer):
    kind = "ledger"
    sheet_title = "Ledger"
    event_verb = "ledger.imported"
    columns = (
        Column("name", gettext_lazy("Name"), Text(60), required=True, aliases=("项目名称",)),
        Column("total_investment", "Total investment", Money(), aliases=("总投资", "计划总投资")),
        Column("annual_plan", "Annual plan", Money(), aliases=("年度计划投资",)),
        Column(
            "stage",
            "Stage",
            Choice(Stage, aliases={Stage.STARTED: ("已开工", "在建", "开工建设")}),
            aliases=("建设阶段", "项目进度"),
        ),
        Column("started_on", "Started on", Date(), aliases=("开工时间",)),
        Column("park", "Park", PARKS, aliases=("所在园区",)),
        Column("parks", "Other parks", RefList(PARKS.records, PARKS.keys, "x")),
        Column("green", "Green channel", YesNo(), aliases=("绿色通道",)),
        Column("contact", "Contact person", Text(20), aliases=("联系人",)),
    )

    def allowed(self):
        return True


@pytest.fixture
def ledger(world):
    return Ledger(world.user_bureau, world.district_a)


HEADERS = [
    "序号",
    "项目名称",
    "计划投资/总投资（亿元）",
    "计划投资/年度计划投资(万元)",
    "建设阶段",
    "开工时间",
    "所在园区",
    "备注",
    "项目联系人及电话",
]


def test_columns_are_suggested_from_the_header_names():
    assert suggest_columns(Ledger, HEADERS) == [
        None,  # 序号: no column takes it
        "name",
        "total_investment",  # the last part, its unit set aside
        "annual_plan",
        "stage",
        "started_on",
        "park",
        None,  # 备注
        "contact",  # our name inside theirs
    ]


def test_headers_in_english_or_our_labels_and_each_column_used_once():
    assert suggest_columns(Ledger, ["Name", "name", "Total investment", "总投资"]) == [
        "name",
        None,
        "total_investment",
        None,
    ]


def test_the_saved_mapping_comes_first_and_a_header_left_out_stays_out():
    saved = {"columns": {"项目全称": "name", "项目名称": "", "备注": "contact"}}
    assert suggest_columns(Ledger, ["项目全称", "项目名称", "备 注"], saved=saved) == [
        "name",
        None,
        "contact",
    ]


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("总投资（亿元）", "100m"),
        ("总投资(亿)", "100m"),
        ("计划投资/总投资 单位:亿元", "100m"),
        ("年度计划（万元）", "10k"),
        ("投资额万元", "10k"),
        ("到位资金（元）", "yuan"),
        ("金额/元", "yuan"),
        ("总投资", None),
        ("用地面积（亩）", None),
    ],
)
def test_the_unit_named_in_the_header(header, unit):
    assert suggest_unit(header) == unit


def test_a_unit_noted_above_the_header_for_the_whole_sheet():
    grid = Grid("x", [["台账", None], [None, "单位：亿元"], ["项目名称", "总投资"]])
    assert sheet_unit(grid, 2) == "100m"
    assert sheet_unit(Grid("x", [["项目名称"]]), 0) is None


def test_choice_and_reference_columns_are_the_mapped_ones(ledger):
    assert [c.key for c in choice_columns(ledger)] == ["stage", "park"]


def test_stage_values_by_label_alias_code_or_saved(ledger):
    column = ledger.column("stage")
    saved = {"values": {"stage": {"推进中": "negotiating"}}}
    suggested = suggest_values(
        ledger,
        column,
        ["在建", "已开工", "开工建设", "signed", "推进中", "意向", None, "在建", "—"],
        saved=saved,
    )
    assert suggested == {
        "在建": "started",
        "已开工": "started",
        "开工建设": "started",
        "signed": "signed",
        "推进中": "negotiating",
        "意向": None,
    }


def test_park_values_by_name_code_or_alike_name(ledger, world):
    column = ledger.column("park")
    suggested = suggest_values(ledger, column, ["装备园", "P2", "装备制造产业园", "东区"])
    assert suggested == {
        "装备园": world.park1_a.name,  # their short name: our 装备制造产业园
        "P2": world.park2_a.name,
        "装备制造产业园": world.park1_a.name,
        "东区": None,
    }


def test_a_saved_value_no_longer_valid_is_not_suggested(ledger):
    saved = {"values": {"stage": {"在建": "gone"}, "park": {"东区": "不存在的园区"}}}
    assert suggest_values(ledger, ledger.column("stage"), ["在建"], saved=saved) == {
        "在建": "started"
    }
    assert suggest_values(ledger, ledger.column("park"), ["东区"], saved=saved) == {"东区": None}


def test_rows_are_built_keyed_by_column_with_values_substituted(ledger, world):
    grid = Grid(
        "项目",
        [
            ["台账", "台账", "台账", "台账", "台账"],
            ["序号", "项目名称", "建设阶段", "所在园区", "总投资（亿元）"],
            [1, "甲", "在建", "装备园", "1.5"],
            [2, "乙", "意向", "—", None],
            [3, None, None, None, None],  # a 序号 alone: no record
            ["合计", None, None, None, 1.5],
        ],
        merged=[(0, 0, 0, 4)],
    )
    columns = suggest_columns(
        Ledger, ["序号", "项目名称", "建设阶段", "所在园区", "总投资（亿元）"]
    )
    values = {"stage": {"在建": "started", "意向": None}, "park": {"装备园": world.park1_a.name}}
    rows = build_rows(grid, 1, columns, values)
    assert [r.number for r in rows] == [3, 4]
    assert rows[0].raw == {
        "name": "甲",
        "stage": "started",
        "park": world.park1_a.name,
        "total_investment": "1.5",
    }
    assert rows[1].raw == {"name": "乙", "stage": "意向", "park": None, "total_investment": None}
    # The importer then reads them with the units the mapping chose.
    ledger.units = {"total_investment": "100m"}
    ledger.prepare(rows)
    assert ledger.parse_row(rows[0]) == []
    assert rows[0].values["total_investment"] == Decimal("15000.00")
    assert rows[0].values["park"] == world.park1_a
    problems = ledger.parse_row(rows[1])
    assert [p.column for p in problems] == ["Stage"]
    assert ledger.parse_row(rows[0]) == [] and rows[0].values["stage"] == "started"
    assert isinstance(Date()(datetime.date(2026, 1, 1), ledger), datetime.date)


def test_the_mapping_is_saved_per_district_and_kind_and_merged(world):
    district, user = world.district_a, world.user_bureau
    assert saved_mapping(district, "ledger") is None
    save_mapping(
        district,
        "ledger",
        user,
        ["项目名称", "总投资（亿元）", "备注"],
        ["name", "total_investment", None],
        {"total_investment": "100m", "bogus": "lots"},
        {"stage": {"在建": "started", "意向": None}},
    )
    save_mapping(
        district,
        "ledger",
        user,
        ["项目全称"],
        ["name"],
        {},
        {"stage": {"在 建": None, "已开工": "started"}},
    )
    mapping = saved_mapping(district, "ledger")
    assert ImportMapping.objects.filter(district=district, kind="ledger").count() == 1
    assert mapping.columns == {
        "项目名称": "name",
        "总投资(亿元)": "total_investment",
        "备注": "",
        "项目全称": "name",
    }
    assert mapping.units == {"total_investment": "100m"}
    assert mapping.values == {"stage": {"已开工": "started"}}  # 在建 unmapped since
    assert mapping.updated_by == user
    assert saved_mapping(world.district_b, "ledger") is None
    # Next time: the saved mapping suggests the columns.
    assert suggest_columns(Ledger, ["项目全称", "备注"], saved=mapping) == ["name", None]
