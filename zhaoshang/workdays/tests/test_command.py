"""``manage.py workdays`` prints exactly what SPEC §19 fixes; bad input is named, loads
nothing and never shows a traceback."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from zhaoshang.testing import SHANGHAI
from zhaoshang.workdays.models import CalendarEntry, CalendarYear
from zhaoshang.workdays.services import is_workday

D = datetime.date
pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> tuple[str, str]:
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("workdays", *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (("add", "2026-09-30", "1"), "2026-10-08\n"),
        (("add", "2026-09-30", "3"), "2026-10-10\n"),
        (("add", "2026-10-10", "1"), "2026-10-12\n"),
        (("add", "2026-10-03", "0"), "2026-10-03\n"),
        (("add", "2026-12-30", "3"), "2027-01-05 provisional\n"),
        (("add", "2026-12-30", "1"), "2026-12-31\n"),
        (("between", "2026-09-30", "2026-10-08"), "1\n"),
        (("between", "2026-10-08", "2026-09-30"), "-1\n"),
        (("between", "2026-10-01", "2026-10-07"), "0\n"),
        (("between", "2025-12-31", "2026-12-31"), "248\n"),
    ],
)
def test_add_and_between_print_exactly(args, output):
    assert run(*args) == (output, "")


def test_status_lists_every_year_and_the_missing_next_one():
    out, _err = run("status")
    expected = "".join(f"{year} loaded\n" for year in range(2004, 2027)) + "2027 missing\n"
    assert out == expected


def test_status_shows_a_draft_and_warns_from_november(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("2027-01-01,holiday,元旦\n", encoding="utf-8")
    assert run("import", str(path), "--draft") == ("2027 draft\n", "")
    out, _ = run("status")
    assert out.splitlines()[-1] == "2027 draft"
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        lines = run("status")[0].splitlines()
    assert lines[-2] == "2027 draft"
    assert lines[-1].startswith("warning: The 2027 holiday arrangement is not published")


def test_no_warning_before_november_or_once_published(tmp_path):
    with time_machine.travel(datetime.datetime(2026, 10, 31, 23, tzinfo=SHANGHAI), tick=False):
        assert "warning" not in run("status")[0]
    path = tmp_path / "2027.csv"
    path.write_text("2027-01-01,holiday,元旦\n", encoding="utf-8")
    run("import", str(path))
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        out = run("status")[0]
    assert "warning" not in out and out.splitlines()[-1] == "2027 loaded"


def test_import_loads_a_year(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "\n"
        "2027-02-05,holiday,春节\n"
        "2027-2-6,holiday,春节\n"  # a spreadsheet's short date is fine
        "2027-02-20,workday,春节调休上班\n"
        "2027-02-22,workday,\n"  # a weekday worked anyway: harmless
        "2027-02-21,holiday,春节,,\n",  # a Sunday off: harmless; trailing commas too
        encoding="utf-8",
    )
    out, err = run("import", str(path), "--notice", "国办发明电〔2026〕9号", "--title", "通知")
    assert (out, err) == ("2027 loaded\n", "")
    year = CalendarYear.objects.get(year=2027)
    assert (year.status, year.source, year.notice, year.notice_title) == (
        "published",
        "import",
        "国办发明电〔2026〕9号",
        "通知",
    )
    assert year.entries.count() == 6
    assert is_workday(D(2027, 2, 20)) and not is_workday(D(2027, 2, 5))
    assert run("add", "2027-02-19", "1")[0] == "2027-02-20\n"


def test_import_reads_a_chinese_spreadsheets_encoding(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_bytes("日期,kind,name\n2027-01-01,holiday,元旦\n".encode("gb18030"))
    fails_header = fails("import", str(path))
    assert "line 1" in fails_header[1]  # 日期 is no header: a bad date, named
    path.write_bytes("\ufeffdate,kind,name\r\n2027-01-01,holiday,元旦\r\n".encode("gb18030"))
    assert run("import", str(path))[0] == "2027 loaded\n"
    assert CalendarEntry.objects.get(date=D(2027, 1, 1)).name == "元旦"


def test_import_with_bad_rows_names_the_lines_and_loads_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"  # 2: fine
        "2027-02-30,holiday,春节\n"  # 3: no such date
        "2027-02-05,vacation,春节\n"  # 4: unknown kind
        "2028-01-01,holiday,元旦\n"  # 5: another year
        "2027-01-01,workday,\n"  # 6: duplicate of line 2
        "2027-03-01\n"  # 7: one field
        "2027-10-01,holiday,国庆节\n",  # 8: fine
        encoding="utf-8",
    )
    message, err = fails("import", str(path))
    assert "Nothing was loaded" in message
    lines = err.splitlines()
    assert lines == [
        "line 3: bad date “2027-02-30” (use YYYY-MM-DD).",
        "line 4: unknown kind “vacation” (use holiday or workday).",
        "line 5: 2028-01-01 is in 2028, but the arrangement is for 2027: one year at a time.",
        "line 6: duplicate date 2027-01-01 (as on line 2).",
        "line 7: expected three fields date,kind,name; found 1.",
    ]
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarEntry.objects.filter(date__year=2027).exists()


def test_import_refuses_an_empty_file_and_a_draft_over_a_published_year(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("date,kind,name\n\n", encoding="utf-8")
    assert "no entries" in fails("import", str(path))[1]
    path.write_text("2026-01-01,holiday,元旦\n", encoding="utf-8")
    assert "2026 is published" in fails("import", str(path), "--draft")[1]
    assert CalendarEntry.objects.filter(date__year=2026).count() > 30


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("add", "2026-02-30", "1"), "DATE"),
        (("add", "tomorrow", "1"), "DATE"),
        (("add", "2026-06-15", "x"), "N"),
        (("add", "2026-06-15", "-2"), "N"),
        (("add", "1999-06-15", "2"), "DATE"),
        (("between", "2026-06-15", "2026/6/1"), "D2"),
        (("between", "20260615", "2026-06-01"), "D1"),
        (("between", "2026-06-15", "2100-01-01"), "D2"),
        (("import", "/nonexistent/2027.csv"), "FILE"),
    ],
)
def test_bad_arguments_are_named(args, named):
    message, _err = fails(*args)
    assert message.startswith(f"{named}: ")


def test_the_command_line_shows_no_traceback():
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, str(root / "manage.py"), "workdays", "add", "2026-02-30", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "LANGUAGE": "en",
            "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
        },
        cwd=root,
    )
    assert result.returncode == 1
    assert "DATE" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
