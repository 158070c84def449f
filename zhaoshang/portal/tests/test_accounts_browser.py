"""A contact joins in real headless Chromium: the bureau invites a person by mobile number
on the enterprise's page (a desktop, 1440×900) and copies the link; the person opens it
on a phone (390×844), is told every problem of a weak password at once, sets a good one
and lands in the service hall, where the contacts page lists them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)
NEW_PASSWORD = "Qingshan#2026lake"


def test_a_contact_is_invited_and_sets_a_password_on_a_phone(live_site, browser_page, password):
    base, world = live_site
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/enterprises/{world.enterprise1_a.pk}/")
    page.click("[data-testid=contacts] a[href$='/contacts/invite/']")
    page.click("[data-testid=invite-form] button[type=submit]")  # nothing filled in
    errors = page.locator(".invalid-feedback")
    assert errors.count() == 2  # the name, and a mobile number or an e-mail
    page.fill("#id_name", "王晓")
    page.fill("#id_mobile", "139 1234 5678")
    page.click("[data-testid=invite-form] button[type=submit]")
    box = page.locator("[data-testid=new-invitation]")
    box.wait_for()
    assert box.locator(".bi-phone").count() == 1  # no SMS gateway: said plainly
    assert "13912345678" in box.inner_text()
    link = page.input_value("#invitation-link")
    assert "/accounts/invite/" in link
    screenshot(page, ARTIFACTS / "accounts-invite-1440.png", full_page=True)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    page.locator("[data-testid=invitation]").wait_for()
    assert page.inner_text("[data-testid=username]") == "13912345678"
    screenshot(page, ARTIFACTS / "accounts-invitation-390.png", full_page=True)
    page.fill("#id_password1", "12345")
    page.fill("#id_password2", "54321")
    page.click("[data-testid=invitation] button[type=submit]")
    page.locator(".invalid-feedback").first.wait_for()
    assert page.locator(".invalid-feedback").count() >= 3  # short, numeric, not the same
    screenshot(page, ARTIFACTS / "accounts-invitation-errors-390.png", full_page=True)
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("[data-testid=invitation] button[type=submit]")
    page.wait_for_url(f"{base}/portal/")
    assert "13912345678" in page.content()  # the welcome names the user name

    page.goto(f"{base}/portal/contacts/")
    contacts = page.locator("[data-testid=contacts]")
    assert "王晓" in contacts.inner_text()
    assert world.user_enterprise.display_name in contacts.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the contacts page is {width}px wide on a phone"
    screenshot(page, ARTIFACTS / "accounts-contacts-390.png", full_page=True)
    page.click("[data-testid=tokens-link]")  # its own API tokens, in the portal's look
    page.fill("#id_name", "ERP")
    page.click("form[action$='/accounts/tokens/new/'] button[type=submit]")
    assert len(page.inner_text("#new-token")) == 40
    assert page.locator(".zs-tabbar").count() == 1
    screenshot(page, ARTIFACTS / "accounts-tokens-390.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/portal/contacts/")
    screenshot(page, ARTIFACTS / "accounts-contacts-1440.png", full_page=True)

    page.goto(link)  # the link is used now
    assert page.locator("[data-testid=invitation-closed]").count() == 1
