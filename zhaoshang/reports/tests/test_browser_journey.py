"""The bureau issues the monthly summary in real headless Chromium: from the reports hub to
the live figures, issued inline (a small district) with its number and files, then reissued
as a background job (a large one) that ends on the new version's page."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.reports.models import IssuedReport, ReportJob
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]


def test_bureau_issues_the_monthly_summary_then_reissues_it_in_the_background(
    live_site, browser_page, password, settings
):
    base, world = live_site
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/reports/")
    page.fill("#period-monthly", "2026-05")
    page.locator("[data-testid=report-kinds] form[action$='/reports/monthly/'] button").click()
    page.wait_for_url("**/reports/monthly/?period=2026-05")
    assert world.project1_a.name in page.content()  # the live figures list the projects

    # Small: issued at once, with its number and the three files.
    page.click("[data-testid=issue]")
    banner = page.locator("[data-testid=issued-banner]")
    banner.wait_for()
    first = IssuedReport.objects.get()
    assert first.number in banner.inner_text() and "v1" in banner.inner_text()
    with page.expect_download() as download:
        banner.get_by_role("link", name="Excel").click()
    with open(download.value.path(), "rb") as saved:  # a download's path has no extension
        workbook = load_workbook(saved, read_only=True)
        cells = [c for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(world.project1_a.name in str(c) for c in cells)
    screenshot(page, ARTIFACTS / "report-issued.png", full_page=True)

    # Large: the reissue runs as a background task and the page ends on version 2.
    settings.REPORTS_INLINE_MAX_PROJECTS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page.click("[data-testid=issue]")
    page.wait_for_url(f"{base}/reports/issued/*/")
    second = IssuedReport.objects.get(version=2)
    assert ReportJob.objects.get().issued_id == second.pk
    text = page.locator("[data-testid=issued-banner]").inner_text()
    assert second.number in text and "v2" in text
    assert second.number != first.number
