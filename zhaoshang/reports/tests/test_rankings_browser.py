"""The departments ranked in real headless Chromium, on a desktop (1440×900) and on a phone
(390×844): both charts are drawn and not blank, the tables behind them are there, and a
click on a bar opens the cases behind it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.reports.tests.rankings_data import figures
from zhaoshang.testing.browser import inked, screenshot, wait_for_chart
from zhaoshang.testing.browser import log_in as _log_in

pytestmark = [pytest.mark.browser]

# Where the middle of the first bar is drawn, inside the chart.
PIXEL = """(id) => echarts.getInstanceByDom(document.getElementById(id))
  .convertToPixel({seriesIndex: 0}, [50, 0])"""

SIZES = [("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})]


@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_departments_ranked(live_site, browser_page, password, size, viewport):
    base, world = live_site
    figures(world)
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('reports:rankings')}?year=2026")
    for key in ("on-time", "satisfaction"):
        wait_for_chart(page, f"#chart-{key}")
        share = inked(page, f"#chart-{key}")
        assert share > 0.02, f"the {key} chart is blank ({share:.3f} inked)"
        assert page.locator(f"[data-testid='chart-{key}-table'] tbody tr").count() >= 2
    screenshot(page, ARTIFACTS / f"rankings-{size}.png", full_page=True)
    if size == "desktop":
        # The first bar (国土局, 100 %) opens its cases: as many as its row of the table.
        done = page.locator("[data-testid='chart-on-time-table'] tbody tr").first
        done = done.locator("td").nth(1).text_content()
        box = page.locator("#chart-on-time").bounding_box()
        x, y = page.evaluate(PIXEL, "chart-on-time")
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_selector("[data-testid='cases']")
        assert f"department={world.dept_land_a.pk}" in page.url
        assert page.locator("[data-testid='cases'] tbody tr").count() == int(done)
