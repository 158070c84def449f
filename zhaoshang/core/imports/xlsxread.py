"""A fast reader of an .xlsx's cell values and merged ranges (``sources.read_grids``).

openpyxl builds an object per cell and per style and reads a 5,000-row ledger in ten
seconds; the wizard reads a district's file on several pages and the import reads it again.
This reads only what the import needs — each worksheet's name and visibility, its cells'
values (shared and inline strings, numbers, booleans, the cached results of formulas, dates
by their number format) and its merged ranges — in a fraction of that time: the cells by
regular expressions (no entity is ever expanded), the small parts (the workbook, its
relations, the styles) with expat, refusing a document type declaration or an entity (no
xlsx writer emits one: the defusedxml rule). Anything unexpected raises, and the caller
falls back on openpyxl.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from zhaoshang.core.imports.parsers import MAX_COLUMNS

# Built-in number formats that show a date (14-17, 22; the Chinese locale's 27-31, 36,
# 50-58). Times alone (18-21, 45-47, 32-35) stay numbers.
_DATE_FORMAT_IDS = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, *range(50, 59)}


class UnsafeXML(ValueError):
    pass


def _refuse(*_args) -> None:
    raise UnsafeXML("document type declarations and entities are not read")


def _parse(data: bytes, start: Callable, end: Callable | None = None, text=None) -> None:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.Parse(data, True)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _attr(attrs: dict, local: str) -> str | None:
    for name, value in attrs.items():
        if _local(name) == local:
            return value
    return None


def _column(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


# The elements an xlsx writer emits for the cells, found by regular expressions (an order
# of magnitude faster than an event per element); a prefix (<x:c>) is allowed.
_P = r"(?:\w+:)?"
_CELL = re.compile(
    r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?(?: s="(\d+)")?([^>]*?)(?:/>|>(.*?)</c>)',
    re.S,
)
_MERGED = re.compile(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')
_V = re.compile(rf"<{_P}v>(.*?)</{_P}v>", re.S)
_IS = re.compile(rf"<{_P}is>(.*?)</{_P}is>", re.S)
_SI = re.compile(rf"<{_P}si>(.*?)</{_P}si>|<{_P}si/>", re.S)
_T = re.compile(rf"<{_P}t(?:\s[^>]*)?>(.*?)</{_P}t>", re.S)
_PHONETIC = re.compile(rf"<{_P}rPh\b.*?</{_P}rPh>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    text = html.unescape(text) if "&" in text else text
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def _runs(xml: str) -> str:
    """The text of a shared or inline string: its runs joined, phonetic runs left out."""
    if "rPh" in xml:
        xml = _PHONETIC.sub("", xml)
    return _unescape("".join(_T.findall(xml)))


def _shared_strings(data: bytes) -> list[str]:
    return [_runs(m[1] or "") for m in _SI.finditer(data.decode("utf-8"))]


def _date_styles(data: bytes) -> set[int]:
    """The indexes of the cell styles (cellXfs) whose number format shows a date."""
    from openpyxl.styles.numbers import is_date_format

    formats: dict[int, str] = {}
    styles: list[int] = []
    where: list[str] = []

    def start(name, attrs):
        name = _local(name)
        if name == "numFmt":
            formats[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif name == "xf" and where and where[-1] == "cellXfs":
            styles.append(int(attrs.get("numFmtId", 0)))
        where.append(name)

    def end(name):
        where.pop()

    _parse(data, start, end)
    dates = set()
    for index, format_id in enumerate(styles):
        code = formats.get(format_id)
        if code is not None:
            text = re.sub(r'"[^"]*"|\[[^\]]*\]', "", code).lower()
            if is_date_format(code) and ("y" in text or "d" in text or "e" in text):
                dates.add(index)
        elif format_id in _DATE_FORMAT_IDS:
            dates.add(index)
    return dates


def _value(kind: str, style: int, raw, strings: list[str], dates: set[int], epoch, from_excel):
    """A cell's value from its type (t), style (s) and <v> text."""
    if raw is None or kind == "e":
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "d"):
        return _unescape(raw)
    if kind == "b":
        return raw.strip() in ("1", "true")
    if style in dates:
        number = float(raw)
        return from_excel(number, epoch) if number >= 1 else number
    try:
        return int(raw)
    except ValueError:
        return float(raw)


def _sheet(data: bytes, strings: list[str], dates: set[int], epoch) -> tuple[dict, list]:
    """(row, column) 0-based → value, and the merged ranges as “A1:C2”. A sheet whose
    cells are written otherwise (no reference, a prefix, other attributes first) raises:
    openpyxl reads it."""
    from openpyxl.utils.datetime import from_excel

    xml = data.decode("utf-8")
    cells = _CELL.findall(xml)
    if len(cells) != xml.count("<c ") + xml.count("<c>"):
        raise ValueError("cells without a reference or with a prefix")
    values: dict[tuple[int, int], Any] = {}
    columns: dict[str, int] = {}
    for letters, row, style1, kind, style2, rest, inner in cells:
        if not inner:
            continue
        if " t=" in rest or " s=" in rest:
            raise ValueError("attributes in another order")
        col = columns.get(letters) or columns.setdefault(letters, _column(letters))
        if col > MAX_COLUMNS:
            continue
        kind = kind or "n"
        if kind == "inlineStr":
            found = _IS.search(inner)
            value = _runs(found[1]) if found else None
        else:
            if inner.startswith("<v>") and inner.endswith("</v>"):
                raw = inner[3:-4]
            else:
                found = _V.search(inner)
                raw = found[1] if found else None
            style = int(style1 or style2 or 0)
            value = _value(kind, style, raw, strings, dates, epoch, from_excel)
        if value is not None and value != "":
            values[(int(row) - 1, col - 1)] = value
    merged = _MERGED.findall(xml)
    if len(merged) != xml.count("<mergeCell "):
        raise ValueError("merged ranges written otherwise")
    return values, merged


def read_sheets(archive: zipfile.ZipFile) -> list[tuple[str, bool, dict, list]]:
    """Each worksheet: (name, hidden, values, merged ranges), in the workbook's order."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    sheets: list[tuple[str, str, str]] = []
    options = {"date1904": False}

    def on_workbook(name, attrs):
        name = _local(name)
        if name == "sheet":
            state = attrs.get("state", "visible")
            sheets.append((attrs.get("name", ""), state, _attr(attrs, "id") or ""))
        elif name == "workbookPr":
            options["date1904"] = attrs.get("date1904", "0") in ("1", "true")

    _parse(archive.read("xl/workbook.xml"), on_workbook)
    targets: dict[str, tuple[str, str]] = {}

    def on_rels(name, attrs):
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

    _parse(archive.read("xl/_rels/workbook.xml.rels"), on_rels)

    def path(target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join("xl", target))

    names = set(archive.namelist())
    strings, dates = [], set()
    for kind, target in targets.values():
        if kind.endswith("/sharedStrings") and path(target) in names:
            strings = _shared_strings(archive.read(path(target)))
        elif kind.endswith("/styles") and path(target) in names:
            dates = _date_styles(archive.read(path(target)))
    epoch = CALENDAR_MAC_1904 if options["date1904"] else CALENDAR_WINDOWS_1900
    result = []
    for name, state, rel in sheets:
        kind, target = targets.get(rel, ("", ""))
        if not kind.endswith("/worksheet"):
            continue  # a chart sheet, a dialog sheet
        values, merged = _sheet(archive.read(path(target)), strings, dates, epoch)
        result.append((name, state != "visible", values, merged))
    return result
