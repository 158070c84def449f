"""A district's own spreadsheet as grids of cells: every sheet of an .xlsx, or a .csv.

Offices keep ledgers with a title row or two above the header, headers of two rows whose
upper cells are merged over several columns (“计划投资” over “总投资” and “年度计划”), cells
merged down over several records (a park's name), a 序号 column, section rows (“一、续建
项目”) and a 合计 row at the end. ``read_grids`` reads the cells with merged ranges filled
from their first cell; ``guess_header_row``, ``header_names`` and ``data_rows`` find the
header and the records under it. The checks every upload passes come first (type, size,
content; for a workbook what it unpacks to, and defusedxml through openpyxl).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.core.imports import xlsxread
from zhaoshang.core.imports.headers import header_forms, header_score, names_by_key
from zhaoshang.core.imports.parsers import (
    MAX_COLUMNS,
    MAX_SCANNED_ROWS,
    FileRefused,
    _message,
    cell_text,
    normalize_key,
)
from zhaoshang.core.imports.workbook import check_workbook, open_workbook
from zhaoshang.core.validators import validate_upload

ACCEPTED = (".xlsx", ".csv")
HEADER_SCAN = 30  # rows searched for the header
PARENT_ROWS = 3  # rows of merged group headers joined above the header

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_SPACES = re.compile(r"[\u3000\xa0]")
_TOTAL = re.compile(r"^(?:总合计|合计|总计|小计|共计|累计)(?:[:(（].*)?$")
_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\))"
)  # NFKC-folded
_FOOTER = re.compile(
    r"^(?:注|备注|说明|填表说明|填报说明|填表人|填报人|制表|审核|联系人|联系电话|负责人|单位负责人)"
)


@dataclass
class Grid:
    """One sheet: ``cells[r][c]`` (0-based; Excel row r + 1) with every merged range
    filled from its first cell; ``merged`` holds the ranges (r1, c1, r2, c2), 0-based and
    inclusive."""

    name: str
    cells: list[list]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False

    @property
    def width(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def merged_at(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        for rng in self.merged:
            if rng[0] <= r <= rng[2] and rng[1] <= c <= rng[3]:
                return rng
        return None


def clean(value: Any) -> Any:
    """A cell as the importers read it: text without padding, invisible characters or
    ideographic spaces; an empty text is None."""
    if isinstance(value, str):
        value = _SPACES.sub(" ", value.translate(_INVISIBLE)).replace("\r\n", "\n").strip()
        return value or None
    return value


# --- reading -------------------------------------------------------------------------------


def read_grids(uploaded) -> list[Grid]:
    """The sheets of an uploaded .xlsx (each one) or .csv (one); FileRefused with the
    reason when the file cannot be read. Sheets without any value are left out."""
    try:
        validate_upload(uploaded, allowed=ACCEPTED)
    except ValidationError as exc:
        raise FileRefused(*_message(exc))
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    if name.lower().endswith(".csv"):
        return [_csv_grid(uploaded, os.path.splitext(name)[0] or "CSV")]
    check_workbook(uploaded)
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            sheets = xlsxread.read_sheets(archive)
    except Exception:  # noqa: BLE001 - anything unexpected: openpyxl reads it (slowly)
        grids = _openpyxl_grids(uploaded)
    else:
        grids = [_grid(title, values, merged, hidden) for title, hidden, values, merged in sheets]
    return [g for g in grids if g.cells]


def _openpyxl_grids(uploaded) -> list[Grid]:
    uploaded.seek(0)
    book = open_workbook(uploaded, read_only=False)
    try:
        return [
            _grid(
                sheet.title,
                # The cells the sheet holds: not iter_rows, which would create every cell
                # of the used range.
                {(r - 1, c - 1): cell.value for (r, c), cell in sheet._cells.items()},
                [str(rng) for rng in sheet.merged_cells.ranges],
                getattr(sheet, "sheet_state", "visible") != "visible",
            )
            for sheet in book.worksheets
        ]
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a broken file
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))
    finally:
        book.close()


def _too_long() -> FileRefused:
    return FileRefused(
        _("The sheet is too long: only %(max)d rows are read.") % {"max": MAX_SCANNED_ROWS}
    )


def _grid(name: str, raw: dict[tuple[int, int], Any], ranges: list[str], hidden: bool) -> Grid:
    """A grid from a sheet's values ((row, column) 0-based) and merged ranges (“A1:C2”)."""
    from openpyxl.utils.cell import range_boundaries

    values = {}
    for (r, c), value in raw.items():
        value = clean(value)
        if value is not None and c < MAX_COLUMNS:
            values[(r, c)] = value
    if not values:
        return Grid(name=name, cells=[], hidden=hidden)
    height = max(r for r, _c in values) + 1
    width = max(c for _r, c in values) + 1
    if height > MAX_SCANNED_ROWS:
        raise _too_long()
    merged = []
    for ref in ranges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        if None in (min_col, min_row, max_col, max_row):
            continue
        r1, c1 = min_row - 1, min_col - 1
        r2, c2 = min(max_row, height) - 1, min(max_col, width) - 1
        if r1 > r2 or c1 > c2 or (r1 == r2 and c1 == c2):
            continue
        merged.append((r1, c1, r2, c2))
    cells = [[None] * width for _r in range(height)]
    for (r, c), value in values.items():
        cells[r][c] = value
    for r1, c1, r2, c2 in merged:
        first = cells[r1][c1]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cells[r][c] = first
    return Grid(name=name, cells=cells, merged=merged, hidden=hidden)


def _csv_grid(uploaded, name: str) -> Grid:
    uploaded.seek(0)
    text = _decode(uploaded.read())
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        rows = []
        for number, row in enumerate(reader, start=1):
            if number > MAX_SCANNED_ROWS:
                raise _too_long()
            rows.append([clean(v) for v in row[:MAX_COLUMNS]])
    except csv.Error:
        raise FileRefused(_("The file could not be read as a CSV file."))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    if not width:
        return Grid(name=name, cells=[])
    return Grid(name=name, cells=[r + [None] * (width - len(r)) for r in rows])


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB 18030 (which GBK and GB 2312
    files are)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(
        _("The CSV file is neither UTF-8 nor GB 18030 text; save it again as “CSV UTF-8”.")
    )


def _delimiter(text: str) -> str:
    """The delimiter whose rows have the most columns, most alike (the first lines)."""
    sample = text[:20_000].splitlines()[:30]
    best, best_score = ",", -1.0
    for delimiter in (",", "\t", ";", "|"):
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = common * widths.count(common) / len(widths)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- the header and the records ------------------------------------------------------------


def _texts(row: list) -> list[str]:
    return [normalize_key(cell_text(v)) for v in row if v is not None]


def _is_title(row: list) -> bool:
    """A row with one value (a title merged across, or a note): no header."""
    return len(set(_texts(row))) <= 1


def guess_header_row(grid: Grid, importer_class) -> int:
    """The 0-based row that most likely holds the header: the one naming most columns of
    the importer (its labels, keys and aliases). Of two adjacent rows naming as many (a
    header of two rows, cells merged down) the lower one, on which the records follow.
    Without any match: the first row with several values."""
    names = names_by_key(importer_class.columns)
    best_row, best_score = None, 0.0
    for r, row in enumerate(grid.cells[:HEADER_SCAN]):
        keys: dict[str, int] = {}
        for value in dict.fromkeys(v for v in row if isinstance(v, str) and len(v) <= 40):
            forms = header_forms(value)
            for key, column_names in names.items():
                score = header_score(value, column_names, forms)
                if score:
                    keys[key] = max(keys.get(key, 0), score)
        score = sum(1.0 if s >= 80 else 0.5 for s in keys.values())
        if score > best_score:
            best_row, best_score = r, score
        elif score and score == best_score and best_row == r - 1:
            best_row = r
    if best_row is not None:
        return best_row
    for r, row in enumerate(grid.cells[:HEADER_SCAN]):
        if not _is_title(row):
            return r
    return 0


def _header_text(value: Any) -> str:
    return re.sub(r"\s*\n\s*", "", cell_text(value)).strip()


def header_names(grid: Grid, header_row: int) -> list[str]:
    """Each column's header, the group headers merged above it joined with “/”:
    “计划投资/总投资（亿元）”. A title merged across the whole sheet is no group header."""
    if header_row >= len(grid.cells):
        return [""] * grid.width
    # A title spans the header's columns (a note beside it may widen the sheet).
    filled = [c for c, v in enumerate(grid.cells[header_row]) if v is not None] or [0]
    first, last = filled[0], filled[-1]
    names = []
    for c, value in enumerate(grid.cells[header_row]):
        own = _header_text(value)
        parts = [own] if own else []
        for r in range(header_row - 1, max(-1, header_row - 1 - PARENT_ROWS), -1):
            rng = grid.merged_at(r, c)
            if rng is None:
                break
            r1, c1, r2, c2 = rng
            if r2 >= header_row:
                continue  # the header's own cell, merged down from above
            if c1 == c2 or (c1 <= first and c2 >= last):
                break  # not a group: a title, or a cell merged down only
            parent = _header_text(grid.cells[r][c])
            if parent and parent not in parts:
                parts.insert(0, parent)
        names.append("/".join(parts))
    return names


def _skipped(texts: list[str]) -> bool:
    """A row that holds no record: a 合计/总计/小计 row, a section row (“一、续建项目”,
    merged across), a note under the table (“注：…”, “填表人：…”). ``texts``: its
    non-empty cells, normalized."""
    if not texts:
        return True
    if any(_TOTAL.match(t) for t in texts[:3]):
        return True
    if len(set(texts)) == 1:
        only = texts[0]
        return len(texts) >= 3 or bool(_SECTION.match(only) or _FOOTER.match(only))
    return False


def data_rows(grid: Grid, header_row: int) -> list[tuple[int, list]]:
    """The records under the header: (Excel row number, cells). Blank rows, total rows,
    section rows, notes and repeated header rows are skipped, and so are the rows of a
    header cell merged down below ``header_row``."""
    start = header_row + 1
    while start < len(grid.cells) and any(
        (rng := grid.merged_at(start, c)) is not None and rng[0] <= header_row
        for c in range(grid.width)
    ):
        start += 1
    header = (
        [t for t in _texts(grid.cells[header_row]) if t] if header_row < len(grid.cells) else []
    )
    rows = []
    for r in range(start, len(grid.cells)):
        values = grid.cells[r]
        texts = [t for t in _texts(values) if t]
        if _skipped(texts) or texts == header:
            continue
        rows.append((r + 1, list(values)))
    return rows
