"""The district map in real headless Chromium, on a desktop (1440×900), a wall (1920×1080)
and a phone (390×844): the canvas is drawn and not blank, a click on a park shows its figures, a click
on a project opens its page, and the page prints on A3 landscape."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhaoshang.monitoring import geo
from zhaoshang.monitoring.tests.map_outlines import give_outlines
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WALL = {"width": 1920, "height": 1080}

# Share of sampled canvas pixels that are neither transparent nor white.
INKED = """() => {
  // ECharts draws one canvas per layer (zlevel): a pixel is inked when any layer inks it.
  const canvases = Array.from(document.querySelectorAll('#zs-map canvas'));
  if (!canvases.length) { return -1; }
  const {width, height} = canvases[0];
  const layers = canvases.map(c => c.getContext('2d').getImageData(0, 0, width, height).data);
  let inked = 0, seen = 0;
  for (let y = 0; y < height; y += 7) {
    for (let x = 0; x < width; x += 7) {
      const i = (y * width + x) * 4;
      seen += 1;
      if (layers.some(d => d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245))) {
        inked += 1;
      }
    }
  }
  return inked / seen;
}"""

PIXEL = """([lng, lat]) => {
  const chart = echarts.getInstanceByDom(document.getElementById('zs-map'));
  const box = document.getElementById('zs-map').getBoundingClientRect();
  const [x, y] = chart.convertToPixel({geoIndex: 0}, [lng, lat]);
  return [box.left + x, box.top + y];
}"""


def _shot(page, name):
    screenshot(page, ARTIFACTS / name, full_page=True)


@pytest.mark.parametrize(
    ("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP), ("wall", WALL)]
)
def test_the_district_map(live_site, browser_page, password, size, viewport):
    from zhaoshang.org.models import Park

    base, world = live_site
    give_outlines(world)
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "bureau", password)

    page.goto(f"{base}{reverse('monitoring:map')}")
    page.wait_for_selector("#zs-map[data-rendered='1'] canvas")
    page.wait_for_timeout(300)
    inked = page.evaluate(INKED)
    assert inked > 0.05, f"the map's canvas is blank ({inked:.3f} inked)"
    _shot(page, f"map-{size}.png")

    # A click inside park 2 (away from its one project) shows the park's figures.
    ring = geo.outer_ring(Park.objects.get(pk=world.park2_a.pk).outline)
    figures = page.locator("[data-testid=park-figures]")
    for n in range(12):
        spot = geo.place(ring, f"click:{n}")
        x, y = page.evaluate(PIXEL, list(spot))
        page.mouse.click(x, y)
        if figures.count():
            break
    assert figures.get_attribute("data-park") == str(world.park2_a.pk)
    assert world.park2_a.name in figures.inner_text()
    _shot(page, f"map-park-{size}.png")

    # A click on a project opens its page.
    point = next(
        p
        for p in page.evaluate(
            "() => fetch(document.getElementById('zs-map').dataset.url).then(r => r.json())"
        )["projects"]
        if p["id"] == world.project1_a.pk
    )
    x, y = page.evaluate(PIXEL, point["value"])
    page.mouse.click(x, y)
    page.wait_for_url(f"**{reverse('projects:detail', args=[world.project1_a.pk])}")

    if size == "desktop":
        # Printed: A3 landscape (420 × 297 mm = 1190.55 × 841.89 pt), the map still drawn.
        page.goto(f"{base}{reverse('monitoring:map')}")
        page.wait_for_selector("#zs-map[data-rendered='1'] canvas")
        page.emulate_media(media="print")
        _shot(page, "map-print.png")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / "map-print.pdf").write_bytes(pdf)
        box = pdf.split(b"/MediaBox")[1].split(b"]")[0].strip(b" [").split()
        width, height = float(box[2]), float(box[3])
        assert abs(width - 1190.55) < 2 and abs(height - 841.89) < 2
        # The map on the first sheet, the parks' table after it: two sheets.
        assert max(int(n) for n in re.findall(rb"/Count (\d+)", pdf)) <= 2
        page.emulate_media(media="screen")


def test_a_map_whose_data_fails_says_so(live_site, browser_page, password):
    base, world = live_site
    give_outlines(world)
    page = browser_page
    page.set_viewport_size(PHONE)
    _log_in(page, base, "bureau", password)
    page.route("**/monitoring/map/data/**", lambda route: route.fulfill(status=500, body=""))
    page.goto(f"{base}{reverse('monitoring:map')}")
    page.wait_for_selector("#zs-map[data-rendered='error']")
    assert page.locator("#zs-map p.text-danger").inner_text().strip() != ""
