"""Reading an uploaded workbook, the import template and the problem report."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from zhaoshang.core.imports.parsers import MAX_UNPACKED_BYTES, FileRefused, Ref, _message
from zhaoshang.core.validators import validate_upload

if TYPE_CHECKING:
    from zhaoshang.core.imports.importer import Importer, Problem


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\u3000", " ").strip()
        return value or None
    return value


def open_workbook(uploaded, *, read_only: bool = True):
    """Open an uploaded .xlsx (read-only unless asked: a read-only sheet knows no merged
    cells), after the checks every upload passes and a check of what it unpacks to."""
    check_workbook(uploaded)
    try:
        import openpyxl  # heavy: imported where it is used, not at start-up

        return openpyxl.load_workbook(uploaded, read_only=read_only, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a broken file
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))


def check_workbook(uploaded) -> None:
    """The checks of an uploaded .xlsx before it is parsed: type, size, content, a zip
    holding a workbook, and what it unpacks to (a zip bomb); FileRefused with the reason."""
    try:
        validate_upload(uploaded, allowed=(".xlsx",))
    except ValidationError as exc:
        raise FileRefused(*_message(exc))
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("The file could not be read as an Excel workbook (.xlsx)."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(
            _("The workbook unpacks to more than %(max)s; save the data alone in a new file.")
            % {"max": filesizeformat(MAX_UNPACKED_BYTES)}
        )
    uploaded.seek(0)


# --- the template and the report ------------------------------------------------------------


def template_workbook(importer: Importer) -> bytes:
    """The import template: the header row (required columns marked, each with a note), a
    sheet of instructions and a sheet of the allowed values, which feed the dropdowns."""
    buffer = io.BytesIO()
    import xlsxwriter  # heavy: imported where it is used, not at start-up

    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    head_required = book.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    formats = {
        "text": book.add_format({"num_format": "@"}),
        "number": book.add_format({"num_format": "0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True})

    data = book.add_worksheet(str(importer.sheet_title)[:31])
    notes = book.add_worksheet(_("How to fill in")[:31])
    lists = book.add_worksheet(_("Allowed values")[:31])
    lists_ref = lists.get_name().replace("'", "''")

    allowed: dict[str, list[str]] = {}
    list_col = 0
    for col, column in enumerate(importer.columns):
        data.write_string(0, col, str(column.label), head_required if column.required else head)
        data.set_column(col, col, column.width, formats[column.parse.kind])
        note = ("【" + _("Required") + "】" if column.required else "") + column.describe()
        if note:
            data.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
        choices = column.parse.choices(importer)
        if choices is None and isinstance(column.parse, Ref):
            # Several values per cell: listed for reference, no dropdown.
            choices, dropdown = (
                [column.parse.label(o) for o in column.parse.records(importer)],
                False,
            )
        else:
            dropdown = True
        if choices is None:
            continue
        allowed[column.key] = choices
        lists.write_string(0, list_col, str(column.label), head)
        lists.set_column(list_col, list_col, max(column.width, 20))
        for r, choice in enumerate(choices, start=1):
            lists.write_string(r, list_col, str(choice))
        if dropdown and choices:
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            data.data_validation(
                1,
                col,
                importer.max_rows,
                col,
                {
                    "validate": "list",
                    "source": f"='{lists_ref}'!${letter}$2:${letter}${len(choices) + 1}",
                    "error_title": str(column.label)[:32],
                    "error_message": _("Choose a value from the list.")[:255],
                },
            )
        list_col += 1
    for extra_title, extra_rows in importer.reference_lists():
        lists.write_string(0, list_col, str(extra_title), head)
        lists.set_column(list_col, list_col, 28)
        for r, value in enumerate(extra_rows, start=1):
            lists.write_string(r, list_col, str(value))
        list_col += 1
    data.freeze_panes(1, 0)
    lists.freeze_panes(1, 0)

    for col, title in enumerate((_("Column"), _("Required"), _("How to fill it in"))):
        notes.write_string(0, col, title, head)
    notes.set_column(0, 0, 26)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 90, wrap)
    for r, column in enumerate(importer.columns, start=1):
        notes.write_string(r, 0, str(column.label), bold if column.required else None)
        notes.write_string(r, 1, _("Yes") if column.required else "")
        text = column.describe()
        choices = allowed.get(column.key)
        if choices and len(choices) <= 12:
            text += " " + _("Allowed: %(values)s.") % {"values": "、".join(map(str, choices))}
        elif choices:
            text += " " + _("See the sheet “%(sheet)s”.") % {"sheet": lists.get_name()}
        notes.write_string(r, 2, text.strip())
    r = len(importer.columns) + 2
    rules = [
        _(
            "Fill in one record per row of the first sheet, from row 2; keep the header row as it is."
        ),
        _(
            "Every row is checked before anything is saved: if any row has a problem, nothing is imported and every problem is listed with its row, column and reason."
        ),
        _("At most %(max)d rows per file; the largest accepted file is %(size)s.")
        % {"max": importer.max_rows, "size": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        *[str(n) for n in importer.notes],
    ]
    notes.write_string(r, 0, _("Rules"), bold)
    for i, rule in enumerate(rules, start=r + 1):
        notes.write_string(i, 0, f"{i - r}. {rule}")
    data.activate()
    book.close()
    return buffer.getvalue()


def report_rows(problems: Iterable[Problem]):
    """Columns and rows of the error report (row, column, value, reason)."""
    columns = [
        (_("Row"), lambda p: p.row if p.row is not None else "—"),
        (_("Column"), lambda p: p.column or "—"),
        (_("Value"), lambda p: p.value),
        (_("Problem"), lambda p: p.message),
    ]
    return columns, list(problems)
