"""A need from the enterprise to its answer, in real headless Chromium, on a phone
(390×844) and on a desktop (1440×900): the contact raises a need for its project with a
file, naming 建设局; 建设局's handler opens it on the staff side, sees the file, takes it up
and answers it; back in the service hall the contact reads the answer and rates it."""

from __future__ import annotations

import pytest

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def log_in(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shot(page, name):
    screenshot(page, ARTIFACTS / name, full_page=True)


def evidence(tmp_path, name="供电方案.pdf"):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 the utility's plan")
    return str(path)


@pytest.mark.parametrize(("size", "viewport"), [("390", PHONE), ("1440", DESKTOP)])
def test_a_need_raised_answered_and_rated(
    live_site, browser_page, password, tmp_path, size, viewport
):
    from zhaoshang.ratings.models import Rating
    from zhaoshang.service.models import Need

    base, world = live_site
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)

    # The contact raises the need.
    log_in(page, base, "enterprise", password)
    page.goto(f"{base}/portal/needs/")
    page.click("[data-testid=new-need]")
    form = page.locator("[data-testid=need-form]")
    form.wait_for()
    form.locator("button[type=submit]").click()  # empty: every problem at once
    page.wait_for_selector("[data-field=title]")
    assert page.locator(".invalid-feedback").count() >= 3
    page.select_option("#id_category", "utilities")
    page.fill("#id_title", "施工临时用电增容")
    page.fill("#id_description", "设备调试需要临时用电 800 千伏安，现有容量不足。")
    page.select_option("#id_department", str(world.dept_works_a.pk))
    page.set_input_files("#id_attachments", evidence(tmp_path))
    shot(page, f"portal-need-form-{size}.png")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=need-status] [data-status=pending]")
    need = Need.objects.get()
    assert need.department == world.dept_works_a and need.attachments.count() == 1
    assert world.dept_works_a.name in page.locator("[data-testid=need-department]").inner_text()
    shot(page, f"portal-need-raised-{size}.png")

    # 建设局's handler answers it on the staff side.
    log_in(page, base, "department", password)
    page.goto(f"{base}/service/needs/{need.pk}/")
    page.wait_for_selector("[data-testid=need-files] >> text=供电方案.pdf")
    page.click("details[data-action=start] summary")
    page.locator("details[data-action=start] button[type=submit]").click()
    page.wait_for_selector("details[data-action=resolve]")
    page.click("details[data-action=resolve] summary")
    page.fill(
        "details[data-action=resolve] textarea[name=resolution]",
        "已协调供电公司临时增容 800 千伏安，6 月 18 日送电。",
    )
    page.locator("details[data-action=resolve] button[type=submit]").click()
    page.wait_for_selector("text=已协调供电公司临时增容")
    need.refresh_from_db()
    assert need.status == "resolved"

    # Back in the service hall: the answer, then the rating.
    log_in(page, base, "enterprise", password)
    page.goto(f"{base}/portal/needs/")
    cards = "need-cards" if size == "390" else "need-table"
    page.wait_for_selector(f"[data-testid={cards}] [data-need='{need.pk}']")
    shot(page, f"portal-needs-{size}.png")
    page.goto(f"{base}/portal/needs/{need.pk}/")
    assert "6 月 18 日送电" in page.locator("[data-testid=need-resolution]").inner_text()
    page.click("label[for=score-dissatisfied]")
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=rate-form] [data-field=reason]")  # a reason is needed
    page.click("label[for=score-fairly]")
    page.fill("[data-testid=rate-form] textarea[name=reason]", "送电及时，沟通可以更早。")
    shot(page, f"portal-need-rate-{size}.png")
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=rated-score]")
    rating = Rating.objects.get()
    assert (rating.subject_kind, rating.score) == ("need", "fairly")
    assert rating.department == world.dept_works_a
    shot(page, f"portal-need-answered-{size}.png")
