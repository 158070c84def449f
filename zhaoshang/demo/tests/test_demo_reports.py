"""The demo district's issued reports (SPEC §12, §18): last month's summary, last quarter's
bulletin and last year's assessment, each issued with its document number and three files
that open; the report pages answer for the demo accounts."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse

from zhaoshang.demo.builder import DEMO_CODE
from zhaoshang.org.models import User
from zhaoshang.reports.models import IssuedReport


def test_the_three_reports_are_issued_with_their_files(today):
    from openpyxl import load_workbook

    reports = {r.kind: r for r in IssuedReport.objects.filter(district__code=DEMO_CODE)}
    assert set(reports) == {"monthly", "quarterly", "annual"}
    assert reports["quarterly"].period == "2026-Q3" and reports["monthly"].period == "2026-10"
    assert reports["annual"].period == "2025"
    assert reports["monthly"].number.startswith("招商办〔2026〕")
    assert reports["quarterly"].number.startswith("督查室〔2026〕")
    assert reports["monthly"].project_count >= 60
    for report in reports.values():
        assert report.issued_at.date() <= today
        with report.xlsx.open("rb") as handle:
            book = load_workbook(io.BytesIO(handle.read()), read_only=True)
        assert report.title in str(book.worksheets[0]["A1"].value)
    ranking = reports["annual"].figures["sections"][0]["rows"]
    assert len(ranking) >= 10 and ranking[0][0] == 1


def test_the_pdfs_drawn_beside_the_load_are_those_the_service_draws(today, settings):
    """The PDFs are drawn by a process forked when the load starts (``PdfsBeside``): each is
    the service's own drawing of the report's figures in the load's language."""
    from django.utils import translation

    from zhaoshang.reports import exports

    reports = IssuedReport.objects.filter(district__code=DEMO_CODE).order_by("pk")
    assert reports.count() == 3
    for report in reports:
        with report.pdf.open("rb") as handle:
            stored = handle.read()
        with translation.override(settings.LANGUAGE_CODE):
            assert stored == exports.to_pdf(report.figures), report.kind


def test_report_pages_answer_for_the_demo_accounts(today):
    report = IssuedReport.objects.filter(district__code=DEMO_CODE, kind="quarterly").get()
    for username in ("bureau", "supervisor", "leader", "city"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("reports:hub")).status_code == 200
        assert client.get(report.get_absolute_url()).status_code == 200


def test_the_month_end_lights_are_kept_and_last_months_summary_shows_them(today):
    """Issue 16 point 7: the lights' history holds every active project at each of the last
    twelve month ends (a year boundary among them); last month's issued summary shows the
    lights of its last day, and some project's light has changed since."""
    import datetime

    from zhaoshang.monitoring.lights import project_light, project_light_on
    from zhaoshang.monitoring.models import LightSnapshot
    from zhaoshang.projects.models import Project

    report = IssuedReport.objects.filter(district__code=DEMO_CODE, kind="monthly").get()
    end = datetime.date(2026, 10, 31)
    snapshots = LightSnapshot.objects.filter(district__code=DEMO_CODE)
    assert snapshots.filter(on=datetime.date(2025, 12, 31)).exists()
    assert snapshots.filter(on=end).count() >= report.project_count
    detail = next(s for s in report.figures["sections"] if s.get("detail"))
    shown = {row[0]: row[6] for row in detail["rows"]}
    projects = Project.objects.filter(district__code=DEMO_CODE, code__in=shown)
    then = dict(projects.annotate(x=project_light_on(end)).values_list("code", "x"))
    now = dict(projects.annotate(x=project_light()).values_list("code", "x"))
    assert shown == then
    assert any(then[code] != now[code] for code in shown)
    assert 0 < list(then.values()).count("red") < len(then) // 4  # mostly green, a few red
    red = snapshots.filter(on=end, light="red").first()
    assert red.reasons and red.reasons[0]["title"]


def test_the_corrected_month_is_flagged_in_its_summary(today):
    """The demo's one correction (an invoice counted twice, taken back the month after)
    shows in that month's summary as 更正 with its reason (issue 16 point 7/11)."""
    from zhaoshang.projects.models import MonthlyReport
    from zhaoshang.reports import figures
    from zhaoshang.reports.choices import Kind, Period

    report = MonthlyReport.objects.select_related("project__district").get(
        is_correction=True, project__district__code=DEMO_CODE
    )
    period = Period(Kind.MONTHLY, f"{report.month:%Y-%m}")
    data = figures.build(Kind.MONTHLY, period, report.project.district)
    detail = next(s for s in data["sections"] if s.get("detail"))
    row = {r[0]: r for r in detail["rows"]}[report.project.code]
    assert report.correction_reason in row[12]
    assert row[10] == float(report.investment_cumulative)
