"""Browser-test helpers shared by the apps: is a chart drawn (its canvas not blank)? The
shared Chromium, the live server, screenshots when asked for."""

from __future__ import annotations

import os

from playwright.sync_api import Locator
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


# Drawn without animation (its option says so: the screen's map, the district map), a chart
# is final once rendered; charts.js's say when their animation ended (data-finished).
_STILL = """(selector) => {
  const holder = document.querySelector(selector);
  const chart = holder && window.echarts && window.echarts.getInstanceByDom(holder);
  const option = chart && chart.getOption();
  return !!option && option.animation === false;
}"""


def wait_for_chart(page, selector: str, *, timeout: int = 10000) -> None:
    """Wait until charts.js drew the chart at ``selector`` (data-rendered="1") and its first
    animation ended (data-finished="1"; a chart drawn by a page's own script may not say so:
    then, unless it is drawn without animation, a second is given)."""
    page.wait_for_selector(f"{selector}[data-rendered='1'] canvas", timeout=timeout)
    if page.evaluate(_STILL, selector):
        return
    try:
        page.wait_for_selector(f"{selector}[data-finished='1']", state="attached", timeout=3000)
    except PlaywrightTimeout:
        page.wait_for_timeout(1000)


#: Screenshots are pictures for a reader, which no test compares: taken only when asked for
#: (``TEST_SCREENSHOTS=1``, or ``TEST_ARTIFACTS`` naming their folder). Chromium painting
#: and encoding a whole page as a PNG was ~8% of the browser tests' CPU.
SCREENSHOTS = bool(os.environ.get("TEST_SCREENSHOTS") or os.environ.get("TEST_ARTIFACTS"))


def screenshot(target, path, **options) -> None:
    """``target.screenshot(path=path, **options)`` (a page or a locator) when screenshots are
    asked for (``SCREENSHOTS``); otherwise a locator is still waited for until it is visible,
    as its screenshot would."""
    if SCREENSHOTS:
        target.screenshot(path=str(path), **options)
    elif isinstance(target, Locator):
        target.wait_for(state="visible")


def log_in(page, base: str, username: str, password: str) -> None:
    """Log in through the login form (cookies of an earlier user cleared first)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def log_in_as(page, base: str, username: str) -> None:
    """Log in as a person of the world by their stored session (opened when the world was
    built, ``zhaoshang/testing/clients.py``) given to the context as its cookie, without the
    log-in form: for a test that goes through many people (the form has its own tests)."""
    from django.conf import settings

    from zhaoshang.testing.clients import SESSIONS

    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": SESSIONS[username], "url": base}]
    )


class SharedChromium:
    """One Playwright driver and one Chromium for the browser tests of a test process, one
    after the other (``browser_page``: each test gets a context of its own, so no cookie,
    storage or cache is shared): starting both for every test cost a few seconds each.

    While the driver is alive, Playwright marks its event loop as running in this thread, and
    Django then keeps connections per context instead of per thread. Between two browser
    tests the mark is taken off (``pause``) and put back before the next call (``resume``),
    so that the fixtures around the page (``committed_db``, ``live_site``) work on the
    thread's connections, as when the driver was stopped after each test. ``stop`` ends both
    when the next test uses no browser (the root conftest.py's ``pytest_runtest_teardown``).
    """

    ARGS = (
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    )

    def __init__(self):
        self._playwright = None
        self._browser = None
        self._loop = None

    def browser(self, executable: str):
        """The running Chromium (started on first use), the loop marked running again."""
        import asyncio

        if self._browser is not None and not self._browser.is_connected():
            self.stop()
        if self._playwright is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._loop = asyncio.get_running_loop()
        else:
            self.resume()
        if self._browser is None:
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, headless=True, args=list(self.ARGS)
            )
        return self._browser

    def resume(self) -> None:
        import asyncio

        if self._loop is not None:
            asyncio._set_running_loop(self._loop)

    def pause(self) -> None:
        import asyncio

        if self._loop is not None:
            asyncio._set_running_loop(None)

    def stop(self) -> None:
        """Close Chromium and stop the driver (nothing happens when none runs)."""
        playwright, browser = self._playwright, self._browser
        self._playwright = self._browser = None
        if playwright is None:
            return
        self.resume()
        self._loop = None
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            playwright.stop()


#: The test process's shared Chromium (see ``SharedChromium``).
CHROMIUM = SharedChromium()


def live_server_thread(connections_override: dict):
    """Django's live server thread (``live_site``), whose server closes the connections the
    browser left open when the test ends (``close_requests``): the shared Chromium keeps a
    closed context's connections alive for a while, and their request threads would close
    the test's database connection after it stopped being shared with them."""
    import contextlib
    import socket
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    class ClosingServer(ThreadedWSGIServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.open_requests: list[tuple[socket.socket, threading.Thread]] = []

        def process_request(self, request, client_address):
            thread = threading.Thread(
                target=self.process_request_thread, args=(request, client_address), daemon=True
            )
            self.open_requests.append((request, thread))
            thread.start()

        def close_requests(self, timeout: float = 10) -> None:
            for request, _thread in self.open_requests:
                with contextlib.suppress(OSError):  # closed already
                    request.shutdown(socket.SHUT_RDWR)
            for _request, thread in self.open_requests:
                thread.join(timeout)

    class ClosingLiveServerThread(LiveServerThread):
        server_class = ClosingServer

        def terminate(self):
            httpd = getattr(self, "httpd", None)
            super().terminate()
            if httpd is not None:
                httpd.close_requests()

    return ClosingLiveServerThread(
        "localhost", _StaticFilesHandler, connections_override=connections_override
    )
