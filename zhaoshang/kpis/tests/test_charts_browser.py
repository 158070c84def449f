"""The KPI charts in real headless Chromium, on a desktop (1440×900), a wall (1920×1080) and on a
phone (390×844), as the bureau: every chart is drawn and not blank, and a click on a stage of the
funnel opens the registry at that stage. The KPI page draws its trends once fetched."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhaoshang.kpis.tests.factories import D, add_funds, make_project, make_target
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import inked, screenshot, wait_for_chart
from zhaoshang.testing.browser import log_in as _log_in

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WALL = {"width": 1920, "height": 1080}
CHARTS = [
    "funnel",
    "stage-amounts",
    "signed-investment",
    "funds-in-place",
    "tiers",
    "trend-totals",
    "trend-rates",
]

# The centre of a funnel item on the page (its trapezoid's corners, in the chart's pixels).
FUNNEL_ITEM = """([selector, index]) => {
  const holder = document.querySelector(selector);
  const chart = echarts.getInstanceByDom(holder);
  const points = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index).points;
  const box = holder.getBoundingClientRect();
  const x = points.reduce((s, p) => s + p[0], 0) / points.length;
  const y = points.reduce((s, p) => s + p[1], 0) / points.length;
  return [box.left + x, box.top + y];
}"""


def _give_figures(world) -> None:
    """A year of district a with its target, funds, last year's projects and a bigger one."""
    make_target(world, signed_investment=Decimal("900000"), funds_in_place=Decimal("3000"))
    big = make_project(world, signed_on=D(2026, 1, 10), total_investment=Decimal("150000"))
    add_funds(world, big, "800", D(2026, 2, 3))
    add_funds(world, world.project1_a, "500", D(2026, 4, 8))
    old = make_project(world, signed_on=D(2025, 3, 15), total_investment=Decimal("90000"))
    add_funds(world, old, "600", D(2025, 5, 6))
    make_project(
        world,
        signed_on=D(2026, 2, 1),
        registered_on=D(2026, 3, 1),
        total_investment=Decimal("7000"),
    )


@pytest.mark.parametrize(
    ("size", "viewport"), [("desktop", DESKTOP), ("wall", WALL), ("phone", PHONE)]
)
def test_the_kpi_charts(live_site, browser_page, password, size, viewport):
    base, world = live_site
    _give_figures(world)
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "bureau", password)

    page.goto(f"{base}{reverse('kpis:charts')}?year=2026")
    for key in CHARTS:
        selector = f"#chart-{key}"
        page.locator(selector).scroll_into_view_if_needed()
        wait_for_chart(page, selector, timeout=30000)  # the trends come after the page
        share = inked(page, selector)
        assert share > 0.02, f"{key} is blank ({share:.3f} inked)"
    screenshot(page, ARTIFACTS / f"kpi-charts-{size}.png", full_page=True)
    # The page's context asks for less motion (conftest.py): drawn without animation.
    assert page.evaluate(ANIMATED, "#chart-funnel") is False

    # A click on the funnel's "signed" stage (project1_a and two more) opens the registry.
    page.locator("#chart-funnel").scroll_into_view_if_needed()
    x, y = page.evaluate(FUNNEL_ITEM, ["#chart-funnel", 3])
    page.mouse.click(x, y)
    page.wait_for_url("**/projects/?stage=signed*")
    assert world.project1_a.code in page.content()


def test_the_kpi_page_draws_its_trends(live_site, browser_page, password):
    base, world = live_site
    _give_figures(world)
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _log_in(page, base, "bureau", password)
    page.goto(f"{base}{reverse('kpis:index')}")
    for key in ("trend-totals", "trend-rates"):
        wait_for_chart(page, f"#chart-{key}", timeout=20000)
        assert inked(page, f"#chart-{key}") > 0.02, key


# Whether the chart animates (charts.js turns it off for prefers-reduced-motion).
ANIMATED = """(selector) => {
  const chart = echarts.getInstanceByDom(document.querySelector(selector));
  return chart.getOption().animation !== false;
}"""

# The page coordinates of a bar's middle (series, category index) and the legend's and the
# PNG button's horizontal extents (the legend keeps clear of the button).
BAR = """([selector, series, index]) => {
  const holder = document.querySelector(selector);
  const chart = echarts.getInstanceByDom(holder);
  const layout = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index);
  const box = holder.getBoundingClientRect();
  return [box.left + layout.x + layout.width / 2, box.top + layout.y + layout.height / 2];
}"""
LEGEND = """(selector) => {
  const holder = document.querySelector(selector);
  const option = echarts.getInstanceByDom(holder).getOption();
  return [option.legend[0].left + option.legend[0].width, holder.clientWidth];
}"""


def test_a_tap_on_a_month_opens_its_projects_on_a_phone(live_site, browser_page, password):
    """On a touch phone, tapping January's bar of signed investment opens the projects signed
    in January, whose figure is the bar's; the legend stops short of the PNG button."""
    base, world = live_site
    _give_figures(world)
    context = browser_page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        _log_in(page, base, "bureau", password)
        page.goto(f"{base}{reverse('kpis:charts')}?year=2026")
        selector = "#chart-signed-investment"
        page.locator(selector).scroll_into_view_if_needed()
        wait_for_chart(page, selector)
        assert page.evaluate(ANIMATED, selector) is True  # no less motion asked for here
        right, width = page.evaluate(LEGEND, selector)
        assert right <= width - 40, (right, width)  # room for the PNG button at the right
        x, y = page.evaluate(BAR, [selector, 0, 0])
        page.touchscreen.tap(x, y)
        page.wait_for_url("**/kpis/drill/?*signed_from=2026-01-01*")
        figure = page.locator("[data-figure]").inner_text()
        assert "150,000" in figure, figure
    finally:
        context.close()
