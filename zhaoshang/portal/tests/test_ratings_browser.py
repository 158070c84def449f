"""好差评 in real headless Chromium, on a phone (390×844) and on a desktop (1440×900): the
enterprise's contact sees what it rated (with the office's follow-up) and what is still to
rate; the supervision office opens a 不满意 from its ratings list, is told every problem of
an empty follow-up at once, then records it."""

from __future__ import annotations

import pytest

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _shot(page, name):
    screenshot(page, ARTIFACTS / name, full_page=True)


def _ratings(world):
    from zhaoshang.ratings import services
    from zhaoshang.ratings.tests.factories import make_rating
    from zhaoshang.ratings.tests.records import each_kind

    records = each_kind(world, 2)
    done = make_rating(
        world, kind="visit", subject=records[-1][1], reason="检查人员态度生硬，反复要求提供材料。"
    )
    services.follow_up(
        world.user_supervisor, done, note="已约谈区建设局，责令整改并向企业致歉。", confirmed=True
    )
    make_rating(world, kind="case", subject=records[0][1], score="satisfied")
    make_rating(world, kind="complaint", subject=records[3][1], score="fairly")
    return make_rating(world, kind="need", subject=records[2][1], reason="问题拖了两个月才解决。")


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_ratings_in_the_hall_and_on_the_staff_side(
    live_site, browser_page, password, size, viewport
):
    base, world = live_site
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    open_rating = _ratings(world)

    _log_in(page, base, "enterprise", password)
    page.goto(f"{base}/portal/ratings/")
    page.wait_for_selector("[data-testid=rated] >> text=已约谈区建设局")
    assert page.locator("[data-testid=to-rate] .card").count() >= 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width  # nothing wider than the screen
    _shot(page, f"portal-ratings-{size}.png")

    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}/ratings/?open=on")
    row = "data-rating-card" if size == "phone" else "data-rating"
    page.wait_for_selector(f"[{row}='{open_rating.pk}']")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    _shot(page, f"ratings-list-{size}.png")
    if size == "phone":
        page.click(f"[data-rating-card='{open_rating.pk}']")
    else:
        page.click(f"[data-rating='{open_rating.pk}'] a")
    form = page.locator("[data-action=follow_up]")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-field=note]")
    assert page.locator("[data-field=confirmed]").count() == 1
    _shot(page, f"ratings-follow-up-errors-{size}.png")
    page.fill("#id_note", "经核实，诉求办理超时属实，已督促整改。")
    page.select_option("#id_confirmed", "1")
    page.locator("[data-action=follow_up] button[type=submit]").click()
    page.wait_for_selector("[data-testid=followup]")
    _shot(page, f"ratings-detail-{size}.png")

    # The KPI page: the district's satisfaction and each department's.
    page.goto(f"{base}/kpis/?year=2026")
    page.wait_for_selector("[data-kpi=satisfaction_rate]")
    page.wait_for_selector("[data-testid=satisfaction] >> text=区建设局")
    _shot(page, f"kpis-satisfaction-{size}.png")
