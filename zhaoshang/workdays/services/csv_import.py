"""Importing a year's arrangement from a CSV file (``date,kind,name``), naming every bad
line."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.workdays.choices import EntryKind, YearSource, YearStatus
from zhaoshang.workdays.models import CalendarYear
from zhaoshang.workdays.services.years import Problem, check_entries, load_year


class CalendarImportError(Exception):
    """A file that cannot be loaded; ``problems`` name the lines and the reasons."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
KINDS = {EntryKind.HOLIDAY.value, EntryKind.WORKDAY.value}


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), else GB 18030 (what a
    spreadsheet saves as CSV on a Chinese desktop)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarImportError([Problem(None, _("The file is not text (UTF-8 or GB 18030)."))])


def parse_csv(text: str) -> tuple[int | None, list[tuple[datetime.date, str, str]]]:
    """Read a year's arrangement from CSV lines ``date,kind,name`` (an optional header line
    ``date,kind,name``; blank lines are skipped). Raises CalendarImportError naming every
    bad line; returns (year, entries) otherwise."""
    problems: list[Problem] = []
    rows: list[tuple[int, datetime.date, str, str]] = []
    reader = csv.reader(io.StringIO(text))
    seen_content = False
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            while len(cells) > 3 and not cells[-1]:  # a spreadsheet's trailing commas
                cells.pop()
            if not seen_content and cells[0].lower().lstrip("\ufeff") == "date":
                seen_content = True
                continue
            seen_content = True
            if len(cells) not in (2, 3):
                problems.append(
                    Problem(
                        line,
                        _("expected three fields date,kind,name; found %(n)s.") % {"n": len(cells)},
                    )
                )
                continue
            raw_date, kind, name = (*cells, "")[:3]
            day = None
            match = _DATE.match(raw_date)
            if match:
                try:
                    day = datetime.date(*(int(g) for g in match.groups()))
                except ValueError:
                    day = None
            if day is None:
                problems.append(
                    Problem(
                        line,
                        _("bad date “%(value)s” (use YYYY-MM-DD).") % {"value": raw_date},
                    )
                )
            if kind.lower() not in KINDS:
                problems.append(
                    Problem(
                        line,
                        _("unknown kind “%(kind)s” (use holiday or workday).") % {"kind": kind},
                    )
                )
            if day is not None and kind.lower() in KINDS:
                rows.append((line, day, kind.lower(), name))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, _("unreadable CSV: %(error)s") % {"error": exc}))
    if not rows and not problems:
        problems.append(Problem(None, _("The file holds no entries.")))
    year = rows[0][1].year if rows else None
    if year is not None:
        problems.extend(check_entries(year, rows, unit="line"))
    if problems:
        problems.sort(key=lambda p: p.position or 0)
        raise CalendarImportError(problems)
    return year, [(day, kind, name) for _line, day, kind, name in rows]


def import_csv(
    data: bytes, *, notice: str = "", title: str = "", draft: bool = False, user=None
) -> CalendarYear:
    """Load a year from a CSV file (bytes): all or nothing; published unless ``draft``."""
    year, entries = parse_csv(decode(data))
    try:
        return load_year(
            year,
            entries,
            notice=notice,
            title=title,
            status=YearStatus.DRAFT if draft else YearStatus.PUBLISHED,
            user=user,
            source=YearSource.IMPORT,
        )
    except ValidationError as exc:
        raise CalendarImportError([Problem(None, m) for m in exc.messages]) from exc
