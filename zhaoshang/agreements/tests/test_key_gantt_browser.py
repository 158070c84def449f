"""The key projects' Gantt in real headless Chromium, on a desktop (1440×900) and on a
phone (390×844, where the chart scrolls sideways): drawn and not blank, the table behind
it shown, a bar opens the project."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from zhaoshang.agreements.tests.test_key_gantt import hand_built
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import inked, screenshot, wait_for_chart
from zhaoshang.testing.browser import log_in as _log_in

pytestmark = [pytest.mark.browser]

SIZES = [("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})]


@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_key_projects_gantt(live_site, browser_page, password, size, viewport):
    base, world = live_site
    hand_built(world)
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "bureau", password)
    page.goto(f"{base}{reverse('agreements:key_gantt')}")
    wait_for_chart(page, "#chart-key-gantt")
    share = inked(page, "#chart-key-gantt")
    assert share > 0.02, f"the Gantt is blank ({share:.3f} inked)"
    assert page.locator("[data-testid='chart-key-gantt-table'] tbody tr").count() == 2
    if size == "phone":  # the chart keeps its width and scrolls sideways
        scroll = page.locator("[data-testid='gantt-scroll']")
        assert scroll.evaluate("e => e.scrollWidth > e.clientWidth")
    screenshot(page, ARTIFACTS / f"gantt-{size}.png", full_page=True)
    # A bar of the first row (project1_a's, the red one first) opens its project.
    # The bar is brought into view first and found again where it then is; on a loaded
    # machine a click right after the scroll may land before the chart has taken it in, so
    # a second click is allowed (a user would click again), never a third.
    page.evaluate(BAR, "#chart-key-gantt")
    project = f"**{reverse('projects:detail', args=[world.project1_a.pk])}"
    for attempt in range(2):
        point = page.evaluate(BAR, "#chart-key-gantt")
        assert point, "the first bar is not where a user could click it"
        page.mouse.click(*point)
        try:
            page.wait_for_url(project, timeout=5000)
            break
        except PlaywrightTimeout:
            if attempt:
                raise


# The page coordinates of the first row's first actual bar, brought into view: the chart
# centred vertically (clear of the sticky navbar) and, on a phone, its scroller moved
# sideways so the bar is inside it. Returns null unless the point is on the chart's canvas.
BAR = """(selector) => {
  const holder = document.querySelector(selector);
  const chart = echarts.getInstanceByDom(holder);
  const index = chart.getOption().series.findIndex(s => s.name === "actual-0");
  const layout = chart.getModel().getSeriesByIndex(index).getData().getItemLayout(0);
  holder.scrollIntoView({block: "center", inline: "nearest"});
  const scroller = holder.closest("[data-testid='gantt-scroll']");
  if (scroller) {
    scroller.scrollLeft = Math.max(0, layout.x + layout.width / 2 - scroller.clientWidth / 2);
  }
  const box = holder.getBoundingClientRect();
  const x = box.left + layout.x + layout.width / 2;
  const y = box.top + layout.y + layout.height / 2;
  const hit = document.elementFromPoint(x, y);
  return hit && holder.contains(hit) ? [x, y] : null;
}"""
