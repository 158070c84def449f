"""The shared Excel import framework: parsers, reading a sheet, file checks, the template."""

from __future__ import annotations

import datetime
import io
import types
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Number,
    Text,
    WholeNumber,
    YesNo,
    template_workbook,
)
from zhaoshang.core.models import DomainEvent
from zhaoshang.projects.choices import Level


def xlsx(rows: list[list], name: str = "data.xlsx") -> SimpleUploadedFile:
    """An uploaded .xlsx whose first sheet holds ``rows`` from A1."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


class Toy(Importer):
    """An importer of every parser kind whose ``create`` only records what it was given."""

    kind = "toys"
    sheet_title = "Toys"
    event_verb = "toy.imported"
    columns = (
        Column("name", "Name", Text(5), required=True),
        Column("amount", "Amount", Number(6, 2), required=True),
        Column("count", "Count", WholeNumber()),
        Column("day", "Day", Date()),
        Column("flag", "Flag", YesNo()),
        Column("level", "Level", Choice(Level)),
    )

    def __init__(self, user, district):
        super().__init__(user, district)
        self.made: list[dict] = []

    def allowed(self):
        return True

    def create(self, values):
        self.made.append(values)
        if values["name"] == "boom":
            raise ValidationError({"amount": "refused by the service", "other": "whole row"})
        return types.SimpleNamespace(pk=len(self.made))


HEADER = ["Name", "Amount", "Count", "Day", "Flag", "Level"]


@pytest.fixture
def toy(world):
    return Toy(world.user_bureau, world.district_a)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234.5", Decimal("1234.50")),
        (0.1 + 0.2, Decimal("0.30")),
        (12, Decimal("12.00")),
        ("１２.３４５", Decimal("12.35")),
    ],
)
def test_numbers_are_parsed_and_rounded(toy, cell, expected):
    assert Number(14, 2)(cell, toy) == expected


@pytest.mark.parametrize("cell", ["abc", "-5", 10**13, True, datetime.date(2026, 1, 1), "NaN"])
def test_bad_numbers_are_refused(toy, cell):
    with pytest.raises(ValidationError):
        Number(14, 2)(cell, toy)


@pytest.mark.parametrize(
    "cell",
    [
        datetime.datetime(2026, 3, 1),
        "2026-03-01",
        "2026/3/1",
        "2026年3月1日",
        "20260301",
        46082,  # the Excel serial number of 2026-03-01
    ],
)
def test_dates_in_the_usual_spellings(toy, cell):
    assert Date()(cell, toy) == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("cell", ["2026-02-30", "2026-13-01", "soon", 2026])
def test_bad_dates_are_refused(toy, cell):
    with pytest.raises(ValidationError):
        Date()(cell, toy)


def test_yes_no_choices_and_whole_numbers(toy):
    assert YesNo()("是", toy) is True
    assert YesNo()("no", toy) is False
    assert YesNo()(True, toy) is True
    with pytest.raises(ValidationError):
        YesNo()("maybe", toy)
    # A choice by its label in either language or by its stored code.
    with translation.override("zh-hans"):
        chinese = str(Level.MAJOR.label)
    assert Choice(Level)(chinese, toy) == "major"
    assert Choice(Level)("Key", toy) == "key"
    assert Choice(Level)("general", toy) == "general"
    with pytest.raises(ValidationError):
        Choice(Level)("huge", toy)
    assert WholeNumber()("12", toy) == 12
    with pytest.raises(ValidationError):
        WholeNumber()(3.5, toy)
    with pytest.raises(ValidationError):
        Text(3)("abcd", toy)


def test_rows_are_numbered_as_in_excel_and_blank_rows_skipped(toy):
    upload = xlsx(
        [
            ["2026年 玩具清单"],  # a title line above the header is tolerated
            [],
            [*HEADER, "Remarks"],
            ["a", 1, 2, "2026-01-05", "是", "重大"],
            [],
            ["b", "2.5", None, None, None, None, "ignored"],
        ]
    )
    result = toy.run(upload)
    assert result.ok, result.problems
    assert result.rows == 2
    assert result.ignored_columns == ["Remarks"]
    assert toy.made[0] == {
        "name": "a",
        "amount": Decimal("1.00"),
        "count": 2,
        "day": datetime.date(2026, 1, 5),
        "flag": True,
        "level": "major",
    }
    assert toy.made[1] == {"name": "b", "amount": Decimal("2.50")}
    event = DomainEvent.objects.get(verb="toy.imported")
    assert event.district_id == toy.district.pk
    assert event.data["count"] == 2


def test_every_problem_is_reported_with_row_column_and_reason(toy):
    upload = xlsx(
        [
            HEADER,
            ["toolong", "x", 1.5, "2026-02-30", "maybe", "huge"],
            [None, None, None, None, None, None, "only an extra cell"],
            ["boom", 1],
            ["fine", 3],
        ]
    )
    result = toy.run(upload)
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (2, "Name"),
        (2, "Amount"),
        (2, "Count"),
        (2, "Day"),
        (2, "Flag"),
        (2, "Level"),
        (3, "Name"),
        (3, "Amount"),
        (4, "Amount"),  # the service's field error lands on its column
        (4, ""),  # a field that is no column: the whole row
    }
    assert result.bad_rows == 3
    by_cell = {(p.row, p.column): p for p in result.problems}
    assert by_cell[(2, "Day")].value == "2026-02-30"
    assert by_cell[(4, "Amount")].message == "refused by the service"
    assert result.created == []
    assert not DomainEvent.objects.filter(verb="toy.imported").exists()


def test_a_file_without_the_required_columns_is_refused(toy):
    result = toy.run(xlsx([["Name", "Whatever"], ["a", 1]]))
    assert [p.row for p in result.problems] == [None]
    assert "Amount" in result.problems[0].message


def test_a_column_twice_or_no_rows_is_refused(toy):
    assert toy.run(xlsx([[*HEADER, "Amount"], ["a", 1, None, None, None, None, 2]])).file_problems
    assert toy.run(xlsx([HEADER, [], []])).file_problems
    assert toy.run(xlsx([["nothing", "here"]] * 12)).file_problems


def test_headers_in_either_language_and_with_a_required_mark(world):
    from zhaoshang.enterprises.creditcode import make_credit_code
    from zhaoshang.enterprises.imports import EnterpriseImporter
    from zhaoshang.enterprises.models import Enterprise

    importer = EnterpriseImporter(world.user_bureau, world.district_a)
    code = make_credit_code("91510100MA6BLNGQ0")
    upload = xlsx([["Name*", "Credit code", "来源地"], ["双语企业", code, "Local"]])
    result = importer.run(upload)
    assert result.ok, result.problems
    assert Enterprise.objects.get(credit_code=code).origin == "local"


def test_too_many_rows_are_refused_with_a_clear_message(toy):
    toy.max_rows = 3
    result = toy.run(xlsx([HEADER, *[[f"r{i}", i] for i in range(4)]]))
    assert len(result.file_problems) == 1
    assert "3" in result.file_problems[0].message
    assert toy.made == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data.csv", b"Name,Amount\na,1\n"),
        ("data.xlsx", b"%PDF-1.4 not a workbook"),
        ("data.xlsx", b""),
    ],
)
def test_files_that_are_not_workbooks_are_refused(toy, name, content):
    result = toy.run(SimpleUploadedFile(name, content))
    assert result.file_problems
    assert toy.made == []


def test_a_zip_that_is_no_workbook_or_unpacks_too_big_is_refused(toy, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert toy.run(SimpleUploadedFile("data.xlsx", buffer.getvalue())).file_problems

    monkeypatch.setattr("zhaoshang.core.imports.workbook.MAX_UNPACKED_BYTES", 100)
    assert toy.run(xlsx([HEADER, ["a", 1]])).file_problems
    assert toy.made == []


def test_a_file_over_the_upload_limit_is_refused(toy, settings):
    settings.UPLOAD_MAX_BYTES = 100
    result = toy.run(xlsx([HEADER, ["a", 1]]))
    assert result.file_problems
    assert toy.made == []


def test_the_template_has_the_header_instructions_and_dropdowns(toy):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(toy)))
    data, notes, lists = book.worksheets
    assert [c.value for c in data[1]] == HEADER
    assert data.max_row == 1  # no sample rows to delete before importing
    assert [c.value for c in notes["A"]][1 : len(HEADER) + 1] == HEADER
    sources = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert set(sources) == {"E2:E2001", "F2:F2001"}  # the flag and the level
    assert lists["A1"].value == "Flag"
    assert lists["B1"].value == "Level"
    assert lists.max_row == 1 + len(Level.choices)
    # The template imports as it is, once filled in.
    data.append(["a", 1, None, None, "是", lists["B2"].value])
    buffer = io.BytesIO()
    book.save(buffer)
    assert toy.run(SimpleUploadedFile("t.xlsx", buffer.getvalue())).ok
