"""The bureau's main journey in real headless Chromium: log in, find a project by the
pinyin initials of its name, open it, move it to the next stage with evidence, see the
timeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)


def test_bureau_finds_a_project_by_pinyin_and_moves_it_to_the_next_stage(
    live_site, browser_page, password, tmp_path
):
    base, world = live_site
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "招商" in page.title()

    screenshot(page, ARTIFACTS / "home.png", full_page=True)
    page.get_by_role("link", name="项目", exact=True).click()
    page.fill("input[name=q]", "hxxny")  # 华鑫新能源…
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**q=hxxny**")
    rows = page.locator("[data-testid=project-table] tbody tr")
    expect(rows).to_have_count(1)  # waits for the list to be drawn (a loaded CI machine)
    assert "华鑫新能源电池项目" in rows.first.inner_text()
    screenshot(page, ARTIFACTS / "project-list.png", full_page=True)

    rows.first.locator("a").first.click()
    page.wait_for_selector("text=基本信息")
    page.click("[data-testid=stage-change]")
    page.wait_for_selector("[data-testid=stage-form]")
    evidence = tmp_path / "营业执照.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% business licence\n")
    page.set_input_files("input[name=evidence_business_license]", str(evidence))
    page.fill("input[name=occurred_on]", "2026-06-12")
    page.click("[data-testid=stage-form] button[type=submit]")

    timeline = page.locator("[data-testid=timeline]")
    timeline.wait_for()
    text = timeline.inner_text()
    assert "2026-06-12" in text and "已注册" in text and "营业执照" in text
    assert "已注册" in page.locator(".zs-steps .step.current").inner_text()
    screenshot(page, ARTIFACTS / "project-timeline.png", full_page=True)
    project = world.project1_a
    project.refresh_from_db()
    assert project.stage == "registered"
