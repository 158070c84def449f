"""Issued reports are frozen: the snapshot and the files stay as issued when data change;
a reissue is a new version; the files open and hold the figures."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.reports import services
from zhaoshang.reports.choices import Kind, Period
from zhaoshang.reports.models import IssuedReport
from zhaoshang.reports.tests.factories import add_funds, add_project, add_signal

MAY = Period(Kind.MONTHLY, "2026-05")


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        " ".join(str(c) for c in row if c is not None)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
    )


def docx_document(content: bytes):
    from docx import Document

    return Document(io.BytesIO(content))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.fixture
def big(world):
    project = add_project(world, investment="12345")
    add_funds(project, "678")
    add_signal(project, "red", "规划许可超期", world.dept_works_a)
    return project


def test_issuing_freezes_figures_and_files_and_reissue_makes_v2(client_for, world, big):
    report = services.issue_report(world.user_bureau, Kind.MONTHLY, MAY)
    assert (report.version, report.number) == (1, "招商办〔2026〕1号")
    assert report.figures["number"] == report.number
    files = {fmt: read(getattr(report, fmt)) for fmt in ("xlsx", "docx", "pdf")}
    before = report.figures
    assert DomainEvent.objects.for_object(report).get().verb == "report.issued"

    # The data change afterwards: a new project, more funds.
    add_project(world, investment="99999")
    add_funds(big, "1000")
    report = IssuedReport.objects.get(pk=report.pk)
    assert report.figures == before
    assert {fmt: read(getattr(report, fmt)) for fmt in files} == files
    with pytest.raises(ValueError):
        report.save()

    again = services.issue_report(world.user_bureau, Kind.MONTHLY, MAY)
    assert (again.version, again.number) == (2, "招商办〔2026〕2号")
    assert again.figures["project_count"] == before["project_count"] + 1
    assert DomainEvent.objects.for_object(again).get().verb == "report.reissued"
    # The first version stays downloadable, unchanged.
    response = client_for("leader").get(reverse("reports:download", args=[report.pk, "xlsx"]))
    assert response.status_code == 200
    assert response.content == files["xlsx"]
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_the_files_open_and_hold_the_figures(world, big):
    report = services.issue_report(world.user_bureau, Kind.MONTHLY, MAY)
    title = report.title
    text = xlsx_text(read(report.xlsx))
    assert title in text and big.code in text and "12345" in text and "678" in text
    document = docx_document(read(report.docx))
    text = docx_text(document)
    assert title in text and report.number in text and big.code in text
    assert "12,345.00" in text and "一、" in text
    # The East-Asian font is set on the styles and the runs (w:eastAsia).
    from docx.oxml.ns import qn

    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title_run = document.paragraphs[0].runs[0]
    assert title_run.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    text = pdf_text(read(report.pdf))
    assert report.number in text and big.code in text
    assert "12,345.00" in text


def test_the_bulletin_files_name_red_projects(world, big):
    report = services.issue_report(
        world.user_supervisor, Kind.QUARTERLY, Period(Kind.QUARTERLY, "2026-Q2")
    )
    assert report.number == "督查室〔2026〕1号"
    for text in (
        xlsx_text(read(report.xlsx)),
        docx_text(docx_document(read(report.docx))),
        pdf_text(read(report.pdf)),
    ):
        assert big.code in text and "规划许可超期" in text


@pytest.mark.parametrize(
    ("who", "kind", "allowed"),
    [
        ("bureau", Kind.MONTHLY, True),
        ("admin", Kind.MONTHLY, True),
        ("supervisor", Kind.MONTHLY, False),
        ("supervisor", Kind.QUARTERLY, True),
        ("supervisor", Kind.ANNUAL, True),
        ("bureau", Kind.QUARTERLY, False),
        ("leader", Kind.ANNUAL, False),
        ("city", Kind.MONTHLY, False),
        ("park", Kind.MONTHLY, False),
    ],
)
def test_who_issues(world, who, kind, allowed):
    user = getattr(world, f"user_{who}")
    period = Period(kind, {"monthly": "2026-05", "quarterly": "2026-Q1", "annual": "2025"}[kind])
    if allowed:
        assert services.issue_report(user, kind, period, world.district_a).version == 1
    else:
        with pytest.raises(PermissionDenied):
            services.issue_report(user, kind, period, world.district_a)


def test_issue_page_issues_and_then_shows_the_frozen_snapshot(client_for, world, big):
    client = client_for("bureau")
    url = reverse("reports:report", args=["monthly"])
    response = client.get(url, {"period": "2026-05"})
    assert response.status_code == 200 and response.context["live"]
    response = client.post(reverse("reports:issue", args=["monthly"]), {"period": "2026-05"})
    report = IssuedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    add_project(world, investment="55555")
    response = client.get(url, {"period": "2026-05"})
    assert response.context["issued"].pk == report.pk
    assert "55,555.00" not in response.content.decode()
    response = client.get(url, {"period": "2026-05", "live": "1"})
    assert "55,555.00" in response.content.decode()


def test_bad_periods_are_named(client_for, world, english):
    client = client_for("bureau")
    response = client.post(reverse("reports:issue", args=["monthly"]), {"period": "2026-13"})
    assert response.status_code == 400
    assert "The period “2026-13” is not valid for this report; write it like 2026-10." in (
        response.content.decode()
    )
    assert not IssuedReport.objects.exists()
    response = client.get(reverse("reports:report", args=["quarterly"]), {"period": "2026-Q9"})
    assert response.status_code == 400
    assert "write it like 2026-Q3" in response.content.decode()


def test_live_downloads(client_for, world, big):
    client = client_for("leader")
    for fmt in ("xlsx", "docx", "pdf"):
        response = client.get(
            reverse("reports:export", args=["monthly", fmt]), {"period": "2026-05"}
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(
            f"attachment; filename=\"monthly-2026-05-live.{fmt}\"; filename*=UTF-8''"
        )
