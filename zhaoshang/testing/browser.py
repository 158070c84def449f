"""Browser-test helpers shared by the apps: is a chart drawn (its canvas not blank)?"""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Share of sampled canvas pixels (over all of the element's layers) that are inked: neither
# transparent nor the background (white, or the big screen's dark blue when dark=True).
_INKED = """([selector, dark]) => {
  const holder = document.querySelector(selector);
  if (!holder) { return -1; }
  const canvases = Array.from(holder.querySelectorAll('canvas'));
  if (!canvases.length) { return -1; }
  const {width, height} = canvases[0];
  if (!width || !height) { return 0; }
  const layers = canvases.map(c => c.getContext('2d').getImageData(0, 0, width, height).data);
  const background = dark ? [11, 26, 51] : [255, 255, 255];
  let inked = 0, seen = 0;
  for (let y = 0; y < height; y += 5) {
    for (let x = 0; x < width; x += 5) {
      const i = (y * width + x) * 4;
      seen += 1;
      if (layers.some(d => d[i + 3] > 0 && (Math.abs(d[i] - background[0]) > 10 ||
          Math.abs(d[i + 1] - background[1]) > 10 || Math.abs(d[i + 2] - background[2]) > 10))) {
        inked += 1;
      }
    }
  }
  return inked / seen;
}"""


def inked(page, selector: str, *, dark: bool = False) -> float:
    """The inked share of the chart at ``selector`` (−1 when there is no canvas)."""
    return page.evaluate(_INKED, [selector, dark])


def wait_for_chart(page, selector: str, *, timeout: int = 10000) -> None:
    """Wait until charts.js drew the chart at ``selector`` (data-rendered="1") and its first
    animation ended (data-finished="1"; a chart drawn by a page's own script may not say so:
    then a second is given)."""
    page.wait_for_selector(f"{selector}[data-rendered='1'] canvas", timeout=timeout)
    try:
        page.wait_for_selector(f"{selector}[data-finished='1']", state="attached", timeout=3000)
    except PlaywrightTimeout:
        page.wait_for_timeout(1000)


def log_in(page, base: str, username: str, password: str) -> None:
    """Log in through the login form (cookies of an earlier user cleared first)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
