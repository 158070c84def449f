"""Review fixes in the import engine: a header in 千万元 or 千元 is read in its own unit
(it was taken for 万元, or for none: amounts 1000 or 10 times off)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhaoshang.core.imports.mapping import suggest_unit
from zhaoshang.core.imports.parsers import Column, Money


@pytest.mark.parametrize(
    "header, unit",
    [
        ("到位资金（千万元）", "10m"),
        ("总投资(千万)", "10m"),
        ("投资额（千元）", "1k"),
        ("总投资（万元）", "10k"),
        ("计划投资/总投资（亿元）", "100m"),
        ("投资额（元）", "yuan"),
        ("总投资", None),
    ],
)
def test_the_unit_a_header_names(header, unit):
    assert suggest_unit(header) == unit


@pytest.mark.parametrize("unit, amount", [("10m", "12000.00"), ("1k", "1.20"), ("10k", "12.00")])
def test_a_bare_number_in_the_columns_unit(unit, amount):
    class Importer:
        units = {"total": unit}

    column = Column("total", "Total", Money())
    assert column.parse.parse_cell("12", Importer(), column) == Decimal(amount)


def test_a_title_over_the_header_is_no_group_even_with_a_note_beside_it():
    from zhaoshang.core.imports.sources import Grid, header_names

    cells = [
        ["某区招商项目台账"] * 4 + ["单位：万元"],
        [None, "计划投资", "计划投资", None, None],
        ["项目名称", "总投资", "年度计划", "备注", None],
    ]
    grid = Grid("s", cells, merged=[(0, 0, 0, 3), (1, 1, 1, 2)])
    assert header_names(grid, 2) == ["项目名称", "计划投资/总投资", "计划投资/年度计划", "备注", ""]
