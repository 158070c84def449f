"""The receipt journey in real headless Chromium: the project secretary files a receipt
after a visit to 建设局, the project manager (the leader in charge) finds it unread in the
inbox, reads it and writes an instruction, and the action item it creates shows on the
worklist of 建设局's handler."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)


def _log_in(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_receipt_to_instruction_to_the_departments_worklist(live_site, browser_page, password):
    from zhaoshang.meetings.models import ActionItem
    from zhaoshang.service.models import Receipt

    base, world = live_site
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    project = world.project1_a

    # The secretary files the receipt from the project's service tab.
    _log_in(page, base, "secretary", password)
    page.goto(f"{base}/service/projects/{project.pk}/")
    page.click("[data-testid=new-receipt]")
    form = page.locator("[data-testid=receipt-form]")
    form.wait_for()
    page.fill("input[name=visited_on]", "2026-06-12")
    page.select_option("select[name=department]", str(world.dept_works_a.pk))
    page.fill("input[name=handler_name]", "王建国")
    page.fill("input[name=matter]", "施工临时用电报装")
    page.fill("textarea[name=work_done]", "提交用电申请及负荷清单")
    page.select_option("select[name=result]", "coordination")
    page.fill("textarea[name=problems]", "临时用电容量不足，需供电公司增容")
    screenshot(page, ARTIFACTS / "receipt-form.png", full_page=True)
    form.locator("button[type=submit]").click()
    number = page.locator("[data-testid=receipt-number]")
    number.wait_for()
    assert number.inner_text() == "HZ-2026-0001"
    receipt = Receipt.objects.get(number="HZ-2026-0001")
    assert receipt.addressee == world.user_manager and receipt.read_at is None

    # The project manager finds it unread in the inbox, opens it and instructs.
    _log_in(page, base, "manager", password)
    page.goto(f"{base}/service/inbox/")
    row = page.locator(f"[data-testid=inbox] tr[data-receipt='{receipt.pk}']")
    assert row.locator("[data-testid=unread]").count() == 1
    screenshot(page, ARTIFACTS / "leader-inbox.png", full_page=True)
    row.locator("a", has_text="HZ-2026-0001").click()
    instruction_form = page.locator("[data-testid=instruction-form]")
    instruction_form.wait_for()
    assert page.locator("[data-testid=read-state]").inner_text() != ""
    receipt.refresh_from_db()
    assert receipt.read_at is not None
    page.fill("textarea[name=text]", "请建设局牵头协调供电公司增容，三个工作日内办结。")
    page.fill("input[name=items-0-title]", "协调供电公司临时用电增容")
    page.select_option("select[name=items-0-owner_department]", str(world.dept_works_a.pk))
    page.select_option("select[name=items-0-owner_person]", str(world.user_department.pk))
    page.fill("input[name=items-0-due_workdays]", "3")
    instruction_form.locator("button[type=submit]").click()
    page.locator("[data-testid=instruction-text]").wait_for()
    assert "三个工作日内办结" in page.locator("[data-testid=instructions]").inner_text()
    screenshot(page, ARTIFACTS / "receipt-instruction.png", full_page=True)
    item = ActionItem.objects.get(instruction__receipt=receipt)
    assert item.owner_department == world.dept_works_a

    # 建设局's handler sees the action item on the department's worklist.
    _log_in(page, base, "department", password)
    page.goto(f"{base}/meetings/worklist/")
    page.wait_for_selector("text=协调供电公司临时用电增容")
    assert item.number in page.content()
    screenshot(page, ARTIFACTS / "department-worklist.png", full_page=True)
