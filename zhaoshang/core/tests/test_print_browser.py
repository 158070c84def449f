"""The print views of the lists (台账) in real headless Chromium: each is laid out on A4
landscape (the PDF's pages are 297×210 mm), numbers its pages and prints every row of the
list's filters. Screenshots (print media, 1123×794) and PDFs go to the test artifacts."""

from __future__ import annotations

import io
import re

import pytest

from zhaoshang.core.tests.test_print_views import _projects, _signals
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
A4_LANDSCAPE = {"width": 1123, "height": 794}  # 297×210 mm at 96 dpi
PRINTS = {
    "lights": "/monitoring/print/",
    "supervision": "/meetings/board/print/",
    "complaints": "/complaints/print/",
    "projects": "/projects/print/",
}


def test_every_print_view_prints_on_a4_landscape(live_site, browser_page, password):
    from pypdf import PdfReader

    base, world = live_site
    _projects(world, 40)
    _signals(world, 40)
    from zhaoshang.complaints.tests.factories import make_complaint
    from zhaoshang.meetings.tests.factories import make_item

    for days in (2, 5, 10):
        make_item(world, title=f"协调解决项目施工用电接入问题（{days}日）", due_workdays=days)
        make_complaint(world, text=f"执法人员对企业重复罚款（{days}）。")
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "supervisor", password)

    # The list's button opens its print view with the list's filters.
    page.goto(f"{base}/projects/?stage=signed")
    assert "print/?stage=signed" in page.get_attribute("[data-testid=print]", "href")

    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{base}/monitoring/")
        assert page.locator("[data-testid=print]").is_visible()
        screenshot(page, ARTIFACTS / f"print-button-lights-{size}.png")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/projects/print/?stage=signed")
    screenshot(page, ARTIFACTS / "print-projects-screen-desktop.png")

    page.set_viewport_size(A4_LANDSCAPE)
    for name, path in PRINTS.items():
        page.emulate_media(media="screen")
        page.goto(f"{base}{path}")
        page.wait_for_selector("[data-testid=print-sheet]")
        assert page.locator("[data-testid=print-toolbar]").is_visible()
        page.emulate_media(media="print")
        assert not page.locator("[data-testid=print-toolbar]").is_visible()
        screenshot(page, ARTIFACTS / f"print-{name}-a4.png", full_page=True)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / f"print-{name}.pdf").write_bytes(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        box = reader.pages[0].mediabox
        assert round(float(box.width)) == 842 and round(float(box.height)) == 595, name
        text = reader.pages[0].extract_text()
        assert re.search(r"(Page 1 of|第 1 [页⻚])", text), (name, text[-300:])
        if name in ("lights", "projects"):
            assert len(reader.pages) >= 2, name  # 40+ rows: more than one sheet
