"""The three files of a report, written from its figures (``reports.figures``):

- Excel (xlsxwriter): a sheet per section, the summary first;
- Word (python-docx) in the layout of a government document (公文, GB/T 9704 margins): the
  title centred in 小标宋 (宋体 where it is missing), the document number under it, headings
  一、二、… in 黑体, body in 仿宋, tables; the East-Asian font is set through ``w:eastAsia``
  on the styles and on every run, or Word would show Chinese in its Latin font;
- PDF (WeasyPrint, ``core.pdf.render_pdf``) with the Noto CJK fonts of the system.
"""

from __future__ import annotations

import copy
import io

from django.utils.translation import gettext as _

NUMERALS = "一二三四五六七八九十"
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"


def heading_number(index: int) -> str:
    return f"{NUMERALS[index] if index < len(NUMERALS) else index + 1}、"


def display(value, kind: str, labels: dict) -> str:
    """A cell as text (Word, PDF, the screen)."""
    if value is None or value == "":
        return "—" if kind in ("rate", "score", "money", "int") else ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "score":
        return f"{value:.1f}"
    if kind == "light":
        return str(labels.get("light", {}).get(value, value))
    return str(value)


def rows_with_total(section: dict) -> list:
    rows = list(section["rows"])
    if section.get("total"):
        rows.append(section["total"])
    return rows


# --- Excel -------------------------------------------------------------------------------


def to_xlsx(figures: dict) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
    total_fmt = book.add_format({"bold": True, "top": 1})
    formats = {
        "money": book.add_format({"num_format": "#,##0.00"}),
        "rate": book.add_format({"num_format": "0.0%"}),
        "score": book.add_format({"num_format": "0.0"}),
    }
    labels = figures.get("labels", {})

    summary = book.add_worksheet(_("Summary")[:31])
    summary.write(0, 0, figures["title"], title_fmt)
    summary.write(1, 0, figures.get("number") or "")
    summary.write(2, 0, _("Figures as of"))
    summary.write(2, 1, figures.get("as_of", ""))
    summary.set_column(0, 0, 36)
    summary.set_column(1, 1, 18)
    for r, (label, value, kind) in enumerate(figures.get("summary", []), start=4):
        summary.write_string(r, 0, str(label))
        _write(summary, r, 1, value, kind, formats, labels)
    if figures.get("formula"):
        summary.write(r + 2, 0, figures["formula"])

    used: set[str] = set()
    for index, section in enumerate(figures["sections"]):
        name = f"{index + 1}.{section['heading']}"[:31]
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        while name in used:
            name = name[:29] + f"{len(used)}"
        used.add(name)
        ws = book.add_worksheet(name)
        for col, (label, _kind) in enumerate(section["columns"]):
            ws.write(0, col, str(label), head)
            ws.set_column(col, col, max(10, min(40, len(str(label)) + 6)))
        for r, row in enumerate(section["rows"], start=1):
            for col, value in enumerate(row):
                _write(ws, r, col, value, section["columns"][col][1], formats, labels)
        if section.get("total"):
            r = len(section["rows"]) + 1
            for col, value in enumerate(section["total"]):
                kind = section["columns"][col][1]
                _write(ws, r, col, value, kind, formats, labels, total_fmt if col == 0 else None)
        ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _write(ws, r, col, value, kind, formats, labels, fmt=None):
    if value is None:
        ws.write_blank(r, col, None)
    elif kind == "light":
        ws.write_string(r, col, display(value, kind, labels))
    elif isinstance(value, bool):
        ws.write_boolean(r, col, value)
    elif isinstance(value, int | float):
        ws.write_number(r, col, value, fmt or formats.get(kind))
    else:
        ws.write_string(r, col, str(value), *([fmt] if fmt else []))


# --- Word --------------------------------------------------------------------------------


def set_east_asian_font(target, name: str) -> None:
    """Set the font of a style or run for Latin and East-Asian text (``w:eastAsia``)."""
    from docx.oxml.ns import qn

    target.font.name = name
    element = target.element if hasattr(target, "element") else target._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


# The run properties (<w:rPr>) of each font, size and weight, set once through python-docx and
# copied into every later run alike (setting them run by run is most of a report's Word time).
_RUN_PROPERTIES: dict[tuple, object] = {}


def _run(paragraph, text: str, font: str, size: float, bold: bool = False):
    from docx.shared import Pt

    run = paragraph.add_run(text)
    made = _RUN_PROPERTIES.get((font, size, bold))
    if made is not None:
        run._r.insert(0, copy.deepcopy(made))
        return run
    set_east_asian_font(run, font)
    run.font.size = Pt(size)
    run.bold = bold
    _RUN_PROPERTIES[font, size, bold] = copy.deepcopy(run._r.rPr)
    return run


def to_docx(figures: dict) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    # GB/T 9704-2012: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    set_east_asian_font(normal, BODY_FONT)
    normal.font.size = Pt(16)  # 三号
    for style_name in ("Table Grid",):
        set_east_asian_font(document.styles[style_name], TABLE_FONT)
    labels = figures.get("labels", {})

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, figures["title"], TITLE_FONT, 22)  # 二号小标宋
    if figures.get("number"):
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(number, figures["number"], BODY_FONT, 16)
    intro = document.add_paragraph()
    _run(
        intro,
        _("Figures as of %(date)s.") % {"date": figures.get("as_of", "")},
        BODY_FONT,
        16,
    )
    summary = list(figures.get("summary", []))
    if summary:
        para = document.add_paragraph()
        text = "；".join(
            f"{label}：{display(value, kind, labels)}" for label, value, kind in summary
        )
        _run(para, text + "。", BODY_FONT, 16)

    for index, part in enumerate(figures["sections"]):
        heading = document.add_paragraph()
        _run(heading, heading_number(index) + part["heading"], HEADING_FONT, 16)
        if part.get("note"):
            note = document.add_paragraph()
            _run(note, part["note"], BODY_FONT, 14)
        rows = rows_with_total(part)
        table = document.add_table(rows=1 + len(rows), cols=len(part["columns"]))
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for col, (label, _kind) in enumerate(part["columns"]):
            cell = table.rows[0].cells[col]
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cell.paragraphs[0], str(label), HEADING_FONT, 9)
        for r, row in enumerate(rows, start=1):
            cells = table.rows[r].cells
            for col, value in enumerate(row):
                _run(
                    cells[col].paragraphs[0],
                    display(value, part["columns"][col][1], labels),
                    TABLE_FONT,
                    9,
                )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------


def to_pdf(figures: dict) -> bytes:
    from zhaoshang.core.pdf import render_pdf

    return render_pdf(
        "reports/pdf.html",
        {"figures": figures, "summary": summary_items(figures), "sections": rendered(figures)},
    )


def rendered(figures: dict) -> list[dict]:
    """The sections with every cell as display text (the PDF and the screen)."""
    labels = figures.get("labels", {})
    out = []
    for index, part in enumerate(figures["sections"]):
        kinds = [kind for _label, kind in part["columns"]]
        out.append(
            {
                "number": heading_number(index),
                "heading": part["heading"],
                "note": part.get("note", ""),
                "columns": [
                    (label, kind not in ("text", "light")) for label, kind in part["columns"]
                ],
                "detail": part.get("detail", False),
                "rows": [
                    [
                        (
                            display(v, kinds[i], labels),
                            kinds[i] not in ("text", "light"),
                            v if kinds[i] == "light" else "",
                        )
                        for i, v in enumerate(row)
                    ]
                    for row in part["rows"]
                ],
                "total": [
                    (display(v, kinds[i], labels), kinds[i] not in ("text", "light"), "")
                    for i, v in enumerate(part["total"])
                ]
                if part.get("total")
                else None,
            }
        )
    return out


def summary_items(figures: dict) -> list[tuple[str, str]]:
    labels = figures.get("labels", {})
    return [
        (label, display(value, kind, labels)) for label, value, kind in figures.get("summary", [])
    ]
