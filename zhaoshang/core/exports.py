"""Excel export of any list (SPEC §16): xlsxwriter, constant memory, one sheet."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from zhaoshang.core import clock


def download_disposition(name: str, fallback: str, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` of a download named ``name`` (Chinese as a rule).

    RFC 6266/5987: ``filename*=UTF-8''…`` carries the real name, and ``filename="…"`` an
    ASCII ``fallback`` for the clients that cannot read it (Django's own helper gives no
    fallback). An ASCII ``name`` is sent as it is.
    """
    disposition = "inline" if inline else "attachment"
    name = name.replace("\r", " ").replace("\n", " ").strip()
    if re.fullmatch(r"[\x20-\x7e]+", name) and not re.search(r'["\\]', name):
        return f'{disposition}; filename="{name}"'
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "", fallback).strip()
    if not ascii_name or ascii_name.startswith("."):
        ascii_name = f"download{ascii_name}"  # nothing left of the name but its extension
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def xlsx_response(
    filename: str,
    sheet: str,
    columns: Sequence[tuple[str, Callable[[object], object]]],
    rows: Iterable,
    *,
    name: str | None = None,
) -> HttpResponse:
    """A one-sheet workbook downloaded as ``<name>-<YYYYMMDD>.xlsx`` (``name``: the
    translated, Chinese file name, by default the sheet's title); ``filename`` is the
    ASCII fallback."""
    buffer = io.BytesIO()
    import xlsxwriter  # heavy: imported where it is used, not at start-up

    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    num_fmt = book.add_format({"num_format": "#,##0.00"})
    for col, (title, _getter) in enumerate(columns):
        ws.write(0, col, str(title), head)
        ws.set_column(col, col, max(10, min(40, len(str(title)) * 2 + 4)))
    for r, obj in enumerate(rows, start=1):
        for col, (_title, getter) in enumerate(columns):
            value = getter(obj)
            if value is None:
                ws.write_blank(r, col, None)
            elif isinstance(value, datetime.datetime):
                ws.write_datetime(r, col, timezone.localtime(value).replace(tzinfo=None), date_fmt)
            elif isinstance(value, datetime.date):
                ws.write_datetime(
                    r, col, datetime.datetime.combine(value, datetime.time()), date_fmt
                )
            elif isinstance(value, Decimal | float):
                ws.write_number(r, col, float(value), num_fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r, col, value)
            elif isinstance(value, int):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, str(value))
    ws.freeze_panes(1, 0)
    book.close()
    return xlsx_file_response(buffer.getvalue(), filename, name=str(name or sheet))


def xlsx_file_response(content: bytes, filename: str, *, name: str | None = None) -> HttpResponse:
    """A finished workbook as a download named ``<name>-<YYYYMMDD>.xlsx`` (the ASCII
    fallback: ``<filename>-<YYYYMMDD>.xlsx``)."""
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = clock.today().strftime("%Y%m%d")
    response["Content-Disposition"] = download_disposition(
        f"{name or filename}-{stamp}.xlsx", f"{filename}-{stamp}.xlsx"
    )
    return response
