"""The wall screen in real headless Chromium, left on: the pointer hides while the mouse is
still; the four-hourly reload waits for a poll that succeeds (never onto the browser's error
page while the server is away), and a poll sent to the log-in page (the session ended)
reloads the page onto the log-in form rather than keeping figures that no longer refresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.dashboard.tests.test_screen_browser import WALL, _log_in, _records
from zhaoshang.testing.browser import wait_for_chart

pytestmark = [pytest.mark.browser]

DATA = "**/screen/data/**"


def _open_screen(page, base, password):
    page.set_viewport_size(WALL)
    _log_in(page, base, "leader", password)
    page.goto(f"{base}{reverse('screen')}")
    wait_for_chart(page, "#chart-funnel")
    page.evaluate("() => { window.zsNotReloaded = true; }")


def test_the_reload_waits_for_the_server(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    _open_screen(page, base, password)
    page.route(DATA, lambda route: route.fulfill(status=502, body=""))
    page.evaluate(
        """() => { const s = document.getElementById('zs-screen').dataset;
                   s.reload = '1'; s.interval = '1'; }"""
    )
    page.wait_for_function("() => document.getElementById('zs-status').textContent !== ''")
    page.wait_for_timeout(2500)  # the reload is due, the server does not answer: no reload
    assert page.evaluate("() => window.zsNotReloaded === true")
    with page.expect_navigation():
        page.unroute(DATA)  # the server is back: the next poll reloads the page
    wait_for_chart(page, "#chart-funnel")
    assert page.evaluate("() => window.zsNotReloaded === undefined")
    assert page.url.endswith(reverse("screen"))


def test_a_poll_after_the_session_ended_shows_the_log_in_form(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    _open_screen(page, base, password)
    page.context.clear_cookies()  # the session is gone (expired, or logged out elsewhere)
    with page.expect_navigation():
        page.evaluate("() => { document.getElementById('zs-screen').dataset.interval = '1'; }")
    page.wait_for_load_state()
    assert reverse("login") in page.url
    assert "next=" + reverse("screen") in page.url.replace("%2F", "/")
    assert page.locator("#id_username").count() == 1


def test_the_pointer_hides_while_the_mouse_is_still(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    _open_screen(page, base, password)
    page.mouse.move(400, 400)
    assert "zs-idle" not in (page.get_attribute("html", "class") or "")
    page.wait_for_function("() => document.documentElement.classList.contains('zs-idle')")
    cursor = page.evaluate("() => getComputedStyle(document.querySelector('h1')).cursor")
    assert cursor == "none"
    page.mouse.move(500, 500)
    assert "zs-idle" not in (page.get_attribute("html", "class") or "")


def test_a_poll_the_server_never_answers_is_given_up(live_site, browser_page, password):
    base, world = live_site
    _records(world)
    page = browser_page
    _open_screen(page, base, password)
    hung = []
    page.route(DATA, lambda route: hung.append(route))  # never answered
    page.evaluate(
        """() => { const s = document.getElementById('zs-screen').dataset;
                   s.timeout = '2'; s.interval = '1'; }"""
    )
    page.wait_for_function("() => document.getElementById('zs-status').textContent !== ''")
    assert hung  # the poll was sent, then given up: the screen says so
    page.unroute(DATA)
    page.wait_for_function("() => +document.getElementById('zs-screen').dataset.refreshes > 0")
    assert page.inner_text("#zs-status") == ""
