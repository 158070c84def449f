"""Reading a district's own spreadsheet: merged titles and headers, CSV encodings, the header
row, the joined header names and the records under them."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.core.imports import Choice, Column, Date, FileRefused, Money, Text
from zhaoshang.core.imports.sources import (
    Grid,
    data_rows,
    guess_header_row,
    header_names,
    read_grids,
)
from zhaoshang.projects.choices import Stage


class Ledger:
    """The columns of a toy importer, as the header guess sees them."""

    columns = (
        Column("name", "Name", Text(60), required=True, aliases=("项目名称",)),
        Column("total_investment", "Total investment", Money(), aliases=("总投资",)),
        Column("annual_plan", "Annual plan", Money(), aliases=("年度计划",)),
        Column("stage", "Stage", Choice(Stage), aliases=("建设阶段", "项目进度")),
        Column("started_on", "Started on", Date(), aliases=("开工时间", "开工日期")),
        Column("park", "Park", Text(60), aliases=("所在园区", "园区")),
    )


def office_workbook() -> bytes:
    """A ledger in an office's shape: a title merged across, a unit note, a header of two
    rows (序号, 项目名称 … merged down; 计划投资 merged over two columns), a park merged
    down over two records, a section row, a blank row, a 合计 row and a note."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "重点项目"
    sheet.append(["2026年重点项目推进台账"])  # 1
    sheet.merge_cells("A1:H1")
    sheet.append([None, None, None, None, None, None, None, "单位：亿元"])  # 2
    sheet.append(["序号", "项目名称", "计划投资", None, "建设阶段", "开工时间", "所在园区", "备注"])
    sheet.append([None, None, "总投资（亿元）", "年度计划\n（亿元）"])  # 4
    for col in "ABEFGH":
        sheet.merge_cells(f"{col}3:{col}4")
    sheet.merge_cells("C3:D3")
    sheet.append(["一、续建项目"])  # 5
    sheet.merge_cells("A5:H5")
    sheet.append([1, "智能装备产业园项目", 12.5, 3, "在建", "2026.3.5", "高新园", ""])  # 6
    sheet.append([2, "食品冷链基地", "3,000万元", 0.5, "已开工", "2026年3月5日", None, None])  # 7
    sheet.merge_cells("G6:G7")
    sheet.append([])  # 8
    sheet.append([3, "新材料项目", 1, None, "签约", datetime.datetime(2026, 3, 5), "东区"])  # 9
    sheet.append(["合计", None, 16.5, 3.5])  # 10
    sheet.merge_cells("A10:B10")
    sheet.append(["填表人：张三"])  # 11
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_workbook_with_a_merged_title_and_a_two_row_merged_header():
    (grid,) = read_grids(upload(office_workbook(), "台账.xlsx"))
    assert grid.name == "重点项目"
    # The title fills its merged range; the header's merged cells are filled too.
    assert grid.cells[0][0] == grid.cells[0][7] == "2026年重点项目推进台账"
    assert grid.cells[3][1] == "项目名称"
    header = guess_header_row(grid, Ledger)
    assert header == 3  # the lower row of the header: the records follow it
    names = header_names(grid, header)
    assert names == [
        "序号",
        "项目名称",
        "计划投资/总投资（亿元）",
        "计划投资/年度计划（亿元）",
        "建设阶段",
        "开工时间",
        "所在园区",
        "备注",
    ]
    rows = data_rows(grid, header)
    # Excel's row numbers; the section row, the blank row, 合计 and the note are skipped.
    assert [number for number, _cells in rows] == [6, 7, 9]
    # The park merged down over two records is in both.
    assert rows[0][1][6] == rows[1][1][6] == "高新园"
    assert rows[2][1][5] == datetime.datetime(2026, 3, 5)


def test_the_upper_header_row_picked_by_hand_skips_the_rows_merged_under_it():
    (grid,) = read_grids(upload(office_workbook(), "台账.xlsx"))
    assert header_names(grid, 2)[2] == "计划投资"
    assert [number for number, _cells in data_rows(grid, 2)] == [6, 7, 9]


def test_a_single_header_row_at_the_top_and_every_sheet_read():
    book = openpyxl.Workbook()
    book.active.title = "项目"
    book.active.append(["项目名称", "总投资", "建设阶段"])
    book.active.append(["甲", 1, "在建"])
    other = book.create_sheet("园区")
    other.append(["名称", "代码"])
    other.append(["乙园", "P9"])
    book.create_sheet("空白")
    buffer = io.BytesIO()
    book.save(buffer)
    grids = read_grids(upload(buffer.getvalue(), "ledger.xlsx"))
    assert [g.name for g in grids] == ["项目", "园区"]  # the empty sheet left out
    assert guess_header_row(grids[0], Ledger) == 0
    assert data_rows(grids[0], 0) == [(2, ["甲", 1, "在建"])]


def test_without_any_known_header_the_first_row_with_several_values():
    grid = Grid("x", [["标题", None], ["甲", "乙"], ["1", "2"]])
    assert guess_header_row(grid, Ledger) == 1


CSV_ROWS = "项目名称,总投资（亿元）,建设阶段,开工时间\r\n智能装备,１２３．５,在建,2026.3.5\r\n\r\n合计,123.5,,\r\n"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (CSV_ROWS.encode("gb18030"), "台账.csv"),
        (CSV_ROWS.encode("gbk"), "台账.csv"),
        ("\ufeff".encode() + CSV_ROWS.encode("utf-8"), "台账.csv"),
        (CSV_ROWS.encode("utf-8"), "台账.CSV"),
        (CSV_ROWS.replace(",", "\t").encode("utf-8"), "台账.csv"),
        (CSV_ROWS.replace(",", ";").encode("gb18030"), "台账.csv"),
    ],
)
def test_csv_in_utf8_with_or_without_bom_or_gb18030_any_delimiter(content, name):
    (grid,) = read_grids(upload(content, name))
    assert grid.name == "台账"
    assert grid.cells[0] == ["项目名称", "总投资（亿元）", "建设阶段", "开工时间"]
    assert guess_header_row(grid, Ledger) == 0
    assert data_rows(grid, 0) == [(2, ["智能装备", "１２３．５", "在建", "2026.3.5"])]


def test_a_csv_with_quoted_delimiters_and_line_breaks():
    content = '项目名称,备注\r\n"甲,乙项目","第一行\n第二行"\r\n'.encode()
    (grid,) = read_grids(upload(content, "a.csv"))
    assert grid.cells[1] == ["甲,乙项目", "第一行\n第二行"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("ledger.xls", b"\xd0\xcf\x11\xe0old excel", "xlsx"),
        ("ledger.pdf", b"%PDF-1.4", "csv"),
        ("ledger.csv", b"", ""),
        ("ledger.csv", b"PK\x03\x04\x00\x00binary", ""),
        ("ledger.xlsx", b"plain text", ""),
    ],
)
def test_files_that_are_neither_workbooks_nor_csv_are_refused(name, content, reason):
    with pytest.raises(FileRefused) as caught:
        read_grids(upload(content, name))
    assert caught.value.messages
    assert reason in caught.value.messages[0]


def test_a_csv_in_another_encoding_is_refused_with_the_reason():
    with pytest.raises(FileRefused) as caught:
        read_grids(upload(b"\xff\xfe\xfd\x81\x30", "a.csv"))
    assert "GB 18030" in caught.value.messages[0]


def test_a_workbook_that_unpacks_too_big_is_refused(monkeypatch):
    from zhaoshang.core.imports import workbook

    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(FileRefused):
        read_grids(upload(office_workbook(), "a.xlsx"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(FileRefused):
        read_grids(upload(buffer.getvalue(), "b.xlsx"))


def test_too_many_rows_are_refused(monkeypatch):
    from zhaoshang.core.imports import sources

    monkeypatch.setattr(sources, "MAX_SCANNED_ROWS", 3)
    with pytest.raises(FileRefused):
        read_grids(upload(b"a\n1\n2\n3\n4\n", "a.csv"))
    with pytest.raises(FileRefused):
        read_grids(upload(office_workbook(), "a.xlsx"))


def test_cells_are_cleaned_of_padding_and_invisible_characters():
    content = "项目名称,园区\r\n\u3000甲\u200b ,\xa0 \r\n".encode()
    (grid,) = read_grids(upload(content, "a.csv"))
    assert grid.cells[1] == ["甲", None]


def test_a_file_from_storage_reads_like_an_upload(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(office_workbook())
    from django.core.files import File

    with path.open("rb") as handle:
        grids = read_grids(File(handle, name=str(path)))
    assert grids[0].name == "重点项目"


def test_hidden_sheets_are_marked():
    book = openpyxl.Workbook()
    book.active.append(["项目名称"])
    hidden = book.create_sheet("lists")
    hidden.append(["x"])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    grids = read_grids(upload(buffer.getvalue(), "a.xlsx"))
    assert [g.hidden for g in grids] == [False, True]


def test_a_section_or_note_row_is_skipped_but_a_one_cell_record_is_kept():
    grid = Grid(
        "x",
        [
            ["项目名称", "园区"],
            ["(一)新开工项目", None],
            ["一汽配套项目", None],
            ["注：金额单位亿元", None],
            ["小计", 3],
            ["总计（3个）", 3],
        ],
    )
    assert data_rows(grid, 0) == [(3, ["一汽配套项目", None])]


def excel_like_workbook() -> bytes:
    """A workbook as Excel writes it (shared strings, dates by their number format, a
    Chinese date format, a formula's cached value), made with xlsxwriter."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("项目")
    chinese_date = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    iso_date = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.merge_range(0, 0, 0, 3, "台账 & 清单 <2026>")
    sheet.write_row(1, 0, ["项目名称", "总投资（亿元）", "开工时间", "签约时间"])
    sheet.write_row(2, 0, ["甲 & 乙", 1.5])
    sheet.write_datetime(2, 2, datetime.datetime(2026, 3, 5), chinese_date)
    sheet.write_datetime(2, 3, datetime.datetime(2026, 1, 2), iso_date)
    sheet.write_formula(3, 1, "=B3*2", money, 3)
    sheet.write_row(3, 0, ["丙"])
    sheet.write_boolean(3, 2, True)
    sheet.write_number(3, 3, 46086)  # a serial without a date format stays a number
    hidden = book.add_worksheet("lists")
    hidden.write(0, 0, "x")
    hidden.hide()
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize("make", [office_workbook, excel_like_workbook])
def test_the_fast_reader_reads_what_openpyxl_reads(make):
    from zhaoshang.core.imports import sources

    fast = read_grids(upload(make(), "a.xlsx"))
    slow = [g for g in sources._openpyxl_grids(upload(make(), "a.xlsx")) if g.cells]
    assert [(g.name, g.hidden, g.cells, sorted(g.merged)) for g in fast] == [
        (g.name, g.hidden, g.cells, sorted(g.merged)) for g in slow
    ]


def test_an_excel_workbooks_values_dates_and_hidden_sheets():
    grids = read_grids(upload(excel_like_workbook(), "a.xlsx"))
    assert [(g.name, g.hidden) for g in grids] == [("项目", False), ("lists", True)]
    cells = grids[0].cells
    assert cells[0] == ["台账 & 清单 <2026>"] * 4
    assert cells[2] == [
        "甲 & 乙",
        1.5,
        datetime.datetime(2026, 3, 5),
        datetime.datetime(2026, 1, 2),
    ]
    assert cells[3] == ["丙", 3, True, 46086]


def test_a_workbook_the_fast_reader_refuses_is_read_by_openpyxl(monkeypatch):
    from zhaoshang.core.imports import sources, xlsxread

    def refuse(archive):
        raise xlsxread.UnsafeXML("no")

    monkeypatch.setattr(xlsxread, "read_sheets", refuse)
    (grid,) = read_grids(upload(office_workbook(), "a.xlsx"))
    assert guess_header_row(grid, Ledger) == 3
    assert sources.xlsxread is xlsxread


def test_a_document_type_declaration_is_refused_by_the_fast_reader():
    from zhaoshang.core.imports import xlsxread

    with pytest.raises(xlsxread.UnsafeXML):
        xlsxread._date_styles(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><styleSheet>&a;</styleSheet>'
        )
