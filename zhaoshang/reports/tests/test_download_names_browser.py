"""In real headless Chromium, the downloads are saved under their Chinese names (the
browser reads ``filename*``): the project register's export and an issued report's PDF;
the reports hub's button opens a report. Screenshots of the hub at 390 and 1440 px."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.reports.models import IssuedReport
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]


def test_downloads_are_saved_under_their_chinese_names(live_site, browser_page, password):
    base, world = live_site
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/projects/")
    with page.expect_download() as download:
        page.locator("a[href^='/projects/export.xlsx']").click()
    with translation.override("zh-hans"):
        register = pgettext("file name", "Project register")
    assert download.value.suggested_filename == f"{register}-20260615.xlsx"

    for width, height in ((390, 844), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/reports/")
        screenshot(page, ARTIFACTS / f"reports-hub-{width}.png", full_page=True)
    with translation.override("zh-hans"):
        assert page.locator("[data-testid=open-report]").first.inner_text() == pgettext(
            "button: open a report", "Open"
        )
    page.fill("#period-monthly", "2026-05")
    page.locator("[data-testid=open-report]").first.click()
    page.wait_for_url("**/reports/monthly/?period=2026-05")
    page.click("[data-testid=issue]")
    banner = page.locator("[data-testid=issued-banner]")
    banner.wait_for()
    report = IssuedReport.objects.get()
    with page.expect_download() as download:
        banner.locator("[data-format=pdf]").click()
    name = download.value.suggested_filename
    assert name == report.download_name("pdf") and "draft" not in name
