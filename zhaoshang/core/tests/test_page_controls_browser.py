"""The page's own controls instead of the browser's bare ones, in real headless Chromium
(issue #18, "plain browser controls on the complaint page"): a file input shows a button and
an empty-state line in the page's language (the browser's own says "Choose File · No file
chosen" in the browser's language), names the chosen file, and still uploads; an action of
the action panel reads as a button (no bare disclosure triangle) and opens its form."""

from __future__ import annotations

import pytest

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

SUMMARY = """() => {
  const s = document.querySelector("details[data-action] > summary");
  const css = getComputedStyle(s);
  return {border: css.borderTopStyle, list: css.listStyleType, display: css.display};
}"""


def test_file_input_and_action_panel_read_in_the_page_language(live_site, browser_page, password):
    from zhaoshang.complaints.models import Complaint
    from zhaoshang.complaints.tests.factories import make_complaint

    base, world = live_site
    complaint = make_complaint(world)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/complaints/{complaint.pk}/")

    box = page.locator("form[data-action=attach] .zs-file")
    assert box.locator("button").inner_text().strip() == "选择文件"
    assert box.locator("span.form-control").inner_text().strip() == "未选择文件"
    # The browser's own control is kept in the form but not shown.
    assert page.locator("form[data-action=attach] input[type=file]").bounding_box()["width"] <= 1

    summary = page.evaluate(SUMMARY)
    assert summary["border"] == "solid" and summary["list"] == "none", summary
    page.click("details[data-action] > summary")
    assert page.locator("details[data-action] form").first.is_visible()

    with page.expect_file_chooser() as chooser:
        box.locator("button").click()
    chooser.value.set_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": _png()}]
    )
    assert box.locator("span.form-control").inner_text().strip() == "现场照片.png"
    screenshot(page, ARTIFACTS / "page-controls-390.png", full_page=True)
    page.click("form[data-action=attach] button[type=submit]")
    page.wait_for_load_state()
    assert Complaint.objects.get(pk=complaint.pk).attachments.count() == 1


def _png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
