"""A corrected month (更正) in the monthly summary (issue 16 points 7 and 11): the detail row
flags the correction with its reason and the cumulative figure it went back from, and a
closed month shows its report as filed by the summary's due day (the 6th of the next
month), not a correction filed later. Today is 2026-06-15."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import openpyxl
import pytest

from zhaoshang.core import clock
from zhaoshang.reports import exports, figures
from zhaoshang.reports.choices import Kind, Period
from zhaoshang.reports.tests.factories import add_monthly_report, add_project, day

pytestmark = pytest.mark.usefixtures("english")


def _row(world, code, project):
    data = figures.build(Kind.MONTHLY, Period(Kind.MONTHLY, code), world.district_a)
    detail = next(s for s in data["sections"] if s.get("detail"))
    assert detail["columns"][12][0] == "Correction"
    mine = {r[0]: r for r in detail["rows"]}[project.code]
    # this month's investment, cumulative, progress, correction flag
    return mine[9], mine[10], mine[11], mine[12]


def _correct(report, this_month, cumulative, reason):
    report.cumulative_before = report.investment_cumulative
    report.investment_this_month = Decimal(this_month)
    report.investment_cumulative = Decimal(cumulative)
    report.is_correction, report.correction_reason = True, reason
    report.save()


def test_a_corrected_month_is_flagged_and_a_later_correction_does_not_rewrite_it(world):
    p = add_project(world)
    with clock.at(day("2026-04-03")):  # March filed on time: 100, cumulative 500
        add_monthly_report(p, "2026-03-01", "100", "500", text="基础施工")
    with clock.at(day("2026-05-03")):  # April filed: 100, cumulative 600
        april = add_monthly_report(p, "2026-04-01", "100", "600")
    with clock.at(day("2026-05-05")):  # corrected before the summary's due day (05-06)
        _correct(april, "50", "550", "重复计入设备款")
    with clock.at(day("2026-06-10")):  # corrected again after it: April's summary stays
        _correct(april, "80", "580", "补录发票")
    # March: no correction, as filed.
    assert _row(world, "2026-03", p) == (100.0, 500.0, "基础施工", "")
    # April as of 2026-05-06: 600 corrected to 550 (50 this month), flagged with its reason.
    assert _row(world, "2026-04", p) == (
        50.0,
        550.0,
        "主体施工",
        "Corrected (cumulative before: 600.00): 重复计入设备款",
    )
    # May (closed, no report of its own): the latest report filed by 2026-06-06 is April's
    # as it stood then, cumulative 550; nothing this month, no flag.
    assert _row(world, "2026-05", p) == (0.0, 550.0, "", "")
    # June is open: today's reports — April's second correction, cumulative 580.
    assert _row(world, "2026-06", p)[1] == 580.0


def test_the_correction_flag_is_in_the_excel_and_word_exports(world):
    p = add_project(world)
    with clock.at(day("2026-05-03")):
        april = add_monthly_report(p, "2026-04-01", "100", "600")
    with clock.at(day("2026-05-05")):
        _correct(april, "50", "550", "重复计入设备款")
    data = figures.build(Kind.MONTHLY, Period(Kind.MONTHLY, "2026-04"), world.district_a)
    flag = "Corrected (cumulative before: 600.00): 重复计入设备款"
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(data)))
    cells = {c.value for ws in book.worksheets for r in ws.iter_rows() for c in r}
    assert {"Correction", flag} <= cells
    document = docx.Document(io.BytesIO(exports.to_docx(data)))
    texts = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert flag in texts
