"""My approvals in real headless Chromium, on a phone (390×844) and a desktop (1440×900):
the enterprise contact finds its cases as cards or a table, opens the done case with its
result, is told that a 不满意 needs a reason, rates it once, and sees the rating."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


def test_the_enterprise_follows_and_rates_its_cases(live_site, browser_page, password):
    from zhaoshang.portal.tests.approvals_cases import make_cases
    from zhaoshang.ratings.models import Rating

    base, world = live_site
    cases = make_cases(world)
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "enterprise")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/portal/approvals/")
    cards = page.locator("[data-testid=cases-cards] a.card")
    assert cards.count() == len(cases) + 1  # and the world's own case of project1_a
    assert page.locator("[data-testid=cases-table]").is_hidden()
    assert page.locator("[data-testid=forecast]").is_visible()
    _no_sideways_scroll(page)
    screenshot(page, ARTIFACTS / "portal-approvals-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    assert page.locator("[data-testid=cases-table]").is_visible()
    screenshot(page, ARTIFACTS / "portal-approvals-1440.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/portal/approvals/{cases['done'].pk}/")
    assert "2026-500101-04-01-000001" in page.inner_text("[data-testid=result]")
    form = page.locator("[data-testid=rate-form]")
    form.locator("input[value=dissatisfied] + label").click()
    form.locator("button[type=submit]").click()
    page.locator(".invalid-feedback[data-field=reason]").wait_for()
    assert Rating.objects.count() == 0
    screenshot(page, ARTIFACTS / "portal-case-rate-error-390.png", full_page=True)
    form = page.locator("[data-testid=rate-form]")
    form.locator("input[value=dissatisfied] + label").click()
    form.locator("textarea[name=reason]").fill("补正通知两次才讲清所缺材料")
    form.locator("button[type=submit]").click()
    page.locator("[data-testid=rating] strong").wait_for()
    assert page.locator("[data-testid=rate-form]").count() == 0
    assert Rating.objects.get().score == "dissatisfied"
    _no_sideways_scroll(page)
    screenshot(page, ARTIFACTS / "portal-case-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    screenshot(page, ARTIFACTS / "portal-case-1440.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/portal/approvals/{cases['paused'].pk}/")
    assert "补正：缺少勘测定界图" in page.inner_text("[data-testid=pauses]")
    _no_sideways_scroll(page)
    screenshot(page, ARTIFACTS / "portal-case-paused-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    screenshot(page, ARTIFACTS / "portal-case-paused-1440.png", full_page=True)
