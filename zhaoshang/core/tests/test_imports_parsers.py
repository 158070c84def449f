"""The parsers of a district's own spreadsheet: amounts with their units, dates and months in
the forms offices write, choices by their aliases, columns by their header aliases."""

from __future__ import annotations

import datetime
import types
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhaoshang.core.imports import Choice, Column, Date, Money, Month, Text, normalize_key
from zhaoshang.projects.choices import Stage

TOY = types.SimpleNamespace(units={})


def money(cell, unit=None):
    importer = types.SimpleNamespace(units={"amount": unit} if unit else {})
    column = Column("amount", "Amount", Money())
    return column.parse.parse_cell(cell, importer, column)


@pytest.mark.parametrize(
    ("cell", "unit", "expected"),
    [
        # The unit in the cell wins over the column's.
        ("1.2亿元", None, Decimal("12000.00")),
        ("1.2亿", "yuan", Decimal("12000.00")),
        ("3,000万元", None, Decimal("3000.00")),
        ("500万", "100m", Decimal("500.00")),
        ("1200000元", "100m", Decimal("120.00")),
        ("￥1,200,000元", None, Decimal("120.00")),
        ("0.5千万元", None, Decimal("500.00")),
        # A bare number is in the column's unit (万元 when the mapping names none).
        (1.2, "100m", Decimal("12000.00")),
        ("1.2", "100m", Decimal("12000.00")),
        (1200000, "yuan", Decimal("120.00")),
        (350, None, Decimal("350.00")),
        (350, "10k", Decimal("350.00")),
        (Decimal("1.5"), "100m", Decimal("15000.00")),
        # Full-width digits, a full-width point and stray spaces.
        ("１２３．５", None, Decimal("123.50")),
        (" １２３．５ 亿元 ", None, Decimal("1235000.00")),
        ("12 345.6", "yuan", Decimal("1.23")),
        ("１,２００ 万元", None, Decimal("1200.00")),
    ],
)
def test_amounts_in_yuan_10k_or_100m_from_the_cell_or_the_column(cell, unit, expected):
    assert money(cell, unit) == expected


def test_money_called_alone_reads_10k_yuan():
    assert Money()("12", TOY) == Decimal("12.00")
    assert Money()("2亿元", TOY) == Decimal("20000.00")


@pytest.mark.parametrize("cell", ["abc", "亿元", "1.2美元", True, datetime.date(2026, 1, 1), "NaN"])
def test_bad_amounts_are_refused_with_the_reason(cell):
    with pytest.raises(ValidationError) as caught:
        money(cell)
    assert "1.2亿元" in caught.value.messages[0]


def test_negative_and_too_large_amounts_are_refused():
    with translation.override("en"), pytest.raises(ValidationError, match="negative"):
        money("-5万元")
    with translation.override("en"), pytest.raises(ValidationError, match="too large"):
        money("100000000亿元")


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03-05",
        "2026-3-5",
        "2026/3/5",
        "2026.3.5",
        "2026.03.05",
        "2026年3月5日",
        "2026年3月5号",
        "2026 年 3 月 5 日",
        " 2026. 3. 5 ",
        "20260305",
        20260305,
        "２０２６年３月５日",
        "２０２６．３．５",
        "2026-03-05 00:00:00",
        datetime.datetime(2026, 3, 5, 0, 0),
        datetime.date(2026, 3, 5),
        46086,  # the Excel serial number of 2026-03-05
        46086.0,
        "46086",
    ],
)
def test_dates_in_every_form_offices_write(cell):
    assert Date()(cell, TOY) == datetime.date(2026, 3, 5)


@pytest.mark.parametrize(
    "cell",
    ["2026-02-30", "2026.13.1", "2026年3月", "soon", 2026, True, "", "1998-05-01", "2100.1.1"],
)
def test_bad_dates_are_refused(cell):
    with pytest.raises(ValidationError):
        Date()(cell, TOY)


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03",
        "2026-3",
        "2026.3",
        "2026/03",
        "2026年3月",
        "2026 年 3 月",
        "２０２６年３月",
        "202603",
        202603,
        2026.03,
        "2026-03-05",
        "2026年3月5日",
        datetime.date(2026, 3, 5),
        datetime.datetime(2026, 3, 1),
        46086,
    ],
)
def test_months_in_every_form(cell):
    assert Month()(cell, TOY) == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("cell", ["2026-13", "202613", "March", "2026", True, "1990-01"])
def test_bad_months_are_refused(cell):
    with pytest.raises(ValidationError):
        Month()(cell, TOY)


def test_choice_aliases_are_accepted_besides_labels_and_codes():
    stage = Choice(
        Stage, aliases={Stage.STARTED: ("已开工", "在建", "开工建设"), Stage.SIGNED: ("已签约",)}
    )
    for cell in ("已开工", "在建", "开工建设", " 在 建 ", "started", "Started"):
        assert stage(cell, TOY) == "started"
    assert stage("已签约", TOY) == "signed"
    with pytest.raises(ValidationError):
        stage("谈判中了", TOY)
    # The template's dropdown offers our labels only.
    assert len(stage.choices(TOY)) == len(Stage.choices)


def test_a_label_or_code_wins_over_another_members_alias():
    # "lead" is a code: an alias that reuses it cannot steal it.
    stage = Choice(Stage, aliases={Stage.STARTED: ("lead",)})
    assert stage("lead", TOY) == "lead"


def test_column_header_names_include_the_aliases_normalized():
    column = Column("name", "Name", Text(20), aliases=("项目名称", "项 目"))
    names = column.header_names()
    assert {"name", normalize_key("项目名称"), "项目"} <= names


def test_a_historical_date_may_be_older_than_the_calendar():
    assert Date(historical=True)("1998.5.1", TOY) == datetime.date(1998, 5, 1)
    with pytest.raises(ValidationError):
        Date(historical=True)("1900-01-01", TOY)
