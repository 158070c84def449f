"""An enterprise contact reports its month in real headless Chromium, on a phone and on a
desktop: the reporting home, the form, an error for a bad figure, the correction, the
submitted report in the history."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)
# A 1×1 PNG: a site photo the upload check accepts.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
VIEWPORTS = {"phone": (390, 844), "desktop": (1440, 900)}


@pytest.mark.parametrize("device", VIEWPORTS)
def test_an_enterprise_contact_reports_its_month(
    live_site, browser_page, password, tmp_path, device
):
    from zhaoshang.projects.models import MonthlyReport

    base, world = live_site
    page = browser_page
    width, height = VIEWPORTS[device]
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(name):
        screenshot(page, ARTIFACTS / f"portal-report-{name}-{device}.png", full_page=True)

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "enterprise")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/portal/reports/")
    card = page.locator("[data-testid=report-project]").first
    assert "华鑫新能源电池项目" in card.inner_text()
    assert "2026-05" in card.inner_text()
    shot("home")

    card.locator("[data-testid=report-now]").click()
    page.wait_for_selector("[data-testid=report-form]")
    page.fill("#id_investment_this_month", "300")
    page.fill("#id_investment_cumulative", "100")  # below this month's: refused
    page.fill("#id_funds_this_month", "200")
    page.fill("#id_jobs", "45")
    page.fill("#id_image_progress", "主体厂房钢结构吊装完成")
    page.fill("#id_problems", "施工用电容量不足，需协调电力公司扩容")
    photo = tmp_path / "site.png"
    photo.write_bytes(PNG)
    page.set_input_files("#id_photos", str(photo))
    page.click("[data-testid=submit-report]")
    error = page.locator("[data-field=investment_cumulative]")
    error.wait_for()
    assert error.inner_text().strip()
    assert page.locator("[data-testid=form-errors]").is_visible()
    assert not MonthlyReport.objects.filter(project=world.project1_a).exists()
    error.scroll_into_view_if_needed()
    shot("error")

    page.fill("#id_investment_cumulative", "1200")
    page.set_input_files("#id_photos", str(photo))  # a refused form does not keep files
    page.click("[data-testid=submit-report]")
    history = page.locator("[data-testid=history-report]")
    history.first.wait_for()
    text = history.first.inner_text()
    assert "2026-05" in text and "1,200" in text
    shot("history")
    report = MonthlyReport.objects.get(project=world.project1_a)
    assert report.submitted_by == world.user_enterprise and report.photos.count() == 1

    # The filed report reads as submitted, read-only, with a way to correct it.
    history.first.locator("a").first.click()
    page.wait_for_selector("[data-testid=correct]")
    assert "主体厂房钢结构吊装完成" in page.content()
    shot("detail")
    page.goto(f"{base}/portal/reports/")
    assert page.locator("[data-testid=report-status]").first.inner_text().strip()
    assert page.locator("[data-testid=report-now]").count() == 0
    # The page fits the screen: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # A document for the project's library: it waits for the staff's confirmation.
    page.locator("[data-testid=report-project] a[href*='/documents/']").first.click()
    page.select_option("#id_material_type", label="营业执照")
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(b"%PDF-1.4\n% business licence\n")
    page.set_input_files("#id_file", str(licence))
    page.click("form[enctype] button[type=submit]")
    upload = page.locator("[data-testid=upload]").first
    upload.wait_for()
    assert "营业执照.pdf" in upload.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot("documents")
