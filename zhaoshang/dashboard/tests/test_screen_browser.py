"""The big screen in real headless Chromium at 1920×1080 — the district's (the leader) and the
city's: every chart drawn and inked on the dark blue, no scrollbars, a refresh redraws the
panels with the new figures (the interval shortened through its data attribute), the lists
turn their pages and the key F asks for full screen. Also at 1440×900 and on a phone
(390×844), where the page may scroll but stays readable.
Screenshots: ``screen-<district|city>-<1920|1440|390>.png`` in the test artifacts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.dashboard.tests.screen_records import D, grow, red_signal, target
from zhaoshang.monitoring.tests.map_outlines import give_outlines
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import inked, screenshot, wait_for_chart
from zhaoshang.testing.browser import log_in as _log_in

pytestmark = [pytest.mark.browser]

WALL = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
DISTRICT_CHARTS = ["#zs-screen-map", "#chart-funnel", "#chart-targets"]
CITY_CHARTS = [
    "#chart-districts-projects",
    "#chart-districts-signed",
    "#chart-districts-funds",
    "#chart-districts-red",
    "#chart-funnel",
    "#chart-targets",
]


def _records(world):
    give_outlines(world)
    target(world.district_a)
    target(world.district_b)
    grow(world, 16)
    grow(world, 10, tag="b")


def _scrollbars(page) -> dict:
    return page.evaluate(
        """() => ({height: document.documentElement.scrollHeight,
                   width: document.documentElement.scrollWidth})"""
    )


def _check_wall(page, charts, name):
    for selector in charts:
        wait_for_chart(page, selector)
        share = inked(page, selector, dark=True)
        assert share > 0.02, f"{selector} is blank ({share:.3f} inked)"
    size = _scrollbars(page)
    assert size["height"] <= 1080 and size["width"] <= 1920, size
    screenshot(page, ARTIFACTS / name)


def _refresh(page, expect_red: str):
    """Shorten the interval to a second: the next poll redraws the figures."""
    before = int(page.get_attribute("#zs-screen", "data-refreshes"))
    page.evaluate("() => { document.getElementById('zs-screen').dataset.interval = '1'; }")
    page.wait_for_function(
        f"() => +document.getElementById('zs-screen').dataset.refreshes > {before}"
    )
    assert page.inner_text("[data-tile=red] [data-value]").strip() == expect_red
    assert page.get_attribute("#chart-funnel", "data-rendered") == "1"


def test_the_district_screen(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    page.set_viewport_size(WALL)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "leader", password)
    page.goto(f"{base}{reverse('screen')}")
    _check_wall(page, DISTRICT_CHARTS, "screen-district-1920.png")
    red = int(page.inner_text("[data-tile=red] [data-value]"))
    assert page.locator("#zs-red-list li[data-project]").count() == red
    assert page.locator("#zs-changes li.zs-change").count() > 0
    assert world.district_b.name not in page.inner_text("#zs-screen")

    # The red list turns its pages by itself.
    page.evaluate("() => { document.getElementById('zs-screen').dataset.page = '1'; }")
    label = page.locator("[data-pager='zs-red-list']")
    if label.inner_text():
        first = label.inner_text()
        page.wait_for_function(
            "(first) => document.querySelector(\"[data-pager='zs-red-list']\").textContent"
            " !== first",
            arg=first,
        )

    # A project turns red: the next refresh shows it without reloading the page.
    red_signal(world.project2_a, "刷新测试超期", D(2026, 6, 2))
    _refresh(page, str(red + 1))
    assert "刷新测试超期" in page.text_content("#zs-red-list")
    _check_wall(page, DISTRICT_CHARTS, "screen-district-1920-refreshed.png")

    # Full screen from the keyboard (headless Chromium grants it).
    page.keyboard.press("f")
    page.wait_for_function("() => !!document.fullscreenElement")
    page.keyboard.press("f")
    page.wait_for_function("() => !document.fullscreenElement")


def test_the_city_screen(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    page.set_viewport_size(WALL)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "city", password)
    page.goto(f"{base}{reverse('screen')}")
    _check_wall(page, CITY_CHARTS, "screen-city-1920.png")
    text = page.inner_text("#zs-screen")
    assert world.district_a.name in text and world.district_b.name in text
    red = int(page.inner_text("[data-tile=red] [data-value]"))
    red_signal(world.project1_b, "乙区刷新测试", D(2026, 6, 2))
    _refresh(page, str(red + 1))

    # One district's screen from the city's.
    page.goto(f"{base}{reverse('screen')}?district={world.district_b.pk}")
    _check_wall(page, DISTRICT_CHARTS, "screen-city-district-1920.png")
    assert world.district_b.name in page.inner_text("h1")


@pytest.mark.parametrize(("size", "viewport"), [("1440", LAPTOP), ("390", PHONE)])
@pytest.mark.parametrize("who", ["leader", "city"])
def test_smaller_screens_stay_readable(live_site, browser_page, password, size, viewport, who):
    base, world = live_site
    _records(world)
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, who, password)
    page.goto(f"{base}{reverse('screen')}")
    charts = DISTRICT_CHARTS if who == "leader" else CITY_CHARTS
    for selector in charts:
        wait_for_chart(page, selector)
        assert inked(page, selector, dark=True) > 0.02, selector
    # Nothing wider than the screen (else: the first elements that stick out); the type no
    # smaller than 12 px.
    wide = page.evaluate(
        """(w) => Array.from(document.querySelectorAll('#zs-screen *')).filter(
             e => e.getBoundingClientRect().right > w + 1).slice(0, 5).map(
             e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""",
        viewport["width"],
    )
    assert _scrollbars(page)["width"] <= viewport["width"], wide
    smallest = page.evaluate(
        """() => Math.min(...Array.from(document.querySelectorAll(
             '.zs-tile-label, .zs-item-where, .zs-when, .zs-panel h2')).map(
             e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 12, smallest
    if size == "1440":
        assert _scrollbars(page)["height"] <= viewport["height"]
    name = "district" if who == "leader" else "city"
    screenshot(page, ARTIFACTS / f"screen-{name}-{size}.png", full_page=True)


def test_a_failed_refresh_keeps_the_figures_and_says_so(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    page.set_viewport_size(WALL)
    _log_in(page, base, "bureau", password)
    page.goto(f"{base}{reverse('screen')}")
    wait_for_chart(page, "#chart-funnel")
    tiles = page.inner_text("[data-testid=tiles]")
    page.route("**/screen/data/**", lambda route: route.fulfill(status=500, body=""))
    page.evaluate("() => { document.getElementById('zs-screen').dataset.interval = '1'; }")
    page.wait_for_function("() => document.getElementById('zs-status').textContent !== ''")
    assert page.inner_text("[data-testid=tiles]") == tiles
    page.unroute("**/screen/data/**")
    page.wait_for_function("() => +document.getElementById('zs-screen').dataset.refreshes > 0")
    assert page.inner_text("#zs-status") == ""


def test_without_javascript_the_tables_read(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    context = browser_page.context.browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport=WALL
    )
    page = context.new_page()
    try:
        _log_in(page, base, "leader", password)
        page.goto(f"{base}{reverse('screen')}")
        for testid in ("funnel-table", "targets-table", "parks-table", "red-list", "changes"):
            assert page.locator(f"[data-testid={testid}]").is_visible(), testid
        assert not page.locator("#chart-funnel").is_visible()
        screenshot(page, ARTIFACTS / "screen-district-nojs-1920.png")
    finally:
        context.close()
