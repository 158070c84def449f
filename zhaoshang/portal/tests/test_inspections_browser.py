"""The enterprise contact checks an inspector's code in real headless Chromium, on a phone
(390×844) and on a desktop (1440×900): the code of today's approved visit is a green
verdict; a wrong code is a red one with the link to report the visit, which becomes a
complaint; and on the phone the QR code on the inspectors' slip is scanned with the
camera (a fake camera showing the slip's QR code; Chromium on Linux has no
BarcodeDetector, so the vendored decoder reads it)."""

from __future__ import annotations

import pytest
import segno

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _today_visit(world):
    from zhaoshang.core import clock
    from zhaoshang.inspections.tests.factories import make_request

    request = make_request(
        world,
        enterprises=[world.enterprise1_a],
        approve=True,
        planned_on=clock.today(),
        quiet_day_reason="安全生产专项整治，时间紧",
    )
    return request.visits.get()


def _shot(page, name):
    screenshot(page, ARTIFACTS / name, full_page=True)


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_contact_checks_an_inspectors_code(live_site, browser_page, password, size, viewport):
    from zhaoshang.complaints.models import Complaint

    base, world = live_site
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    visit = _today_visit(world)
    _log_in(page, base, "enterprise", password)

    page.goto(f"{base}/portal/inspections/")
    shown = "visit-cards" if size == "phone" else "visit-table"
    page.wait_for_selector(f"[data-testid={shown}] >> text={visit.code_display}")
    _shot(page, f"portal-inspections-list-{size}.png")

    # The approved code of today: green.
    page.click("[data-testid=check-link]")
    page.fill("#id_code", visit.code_display.lower())
    page.locator("[data-testid=check-form] button[type=submit]").click()
    verdict = page.locator("[data-testid=verdict]")
    verdict.wait_for()
    assert verdict.get_attribute("data-answer") == "today"
    assert world.dept_works_a.name in verdict.inner_text()
    assert page.locator("[data-testid=report-link]").count() == 0
    _shot(page, f"portal-inspections-check-green-{size}.png")

    # A wrong code: red, with the link to report the visit.
    page.fill("#id_code", "7Q2M-8K4D-1R9T-5W3X-0Z6P")
    page.locator("[data-testid=check-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=verdict][data-answer=unknown]")
    report = page.locator("[data-testid=report-link]")
    assert report.is_visible()
    _shot(page, f"portal-inspections-check-red-{size}.png")

    # Reported: it becomes a complaint of the enterprise.
    report.click()
    form = page.locator("[data-testid=report-form]")
    form.wait_for()
    assert page.input_value("input[name=code_shown]") == "7Q2M8K4D1R9T5W3X0Z6P"
    page.select_option("select[name=department]", str(world.dept_land_a.pk))
    page.select_option("select[name=kind]", "inspection")
    page.fill(
        "textarea[name=what_happened]",
        "两人自称区自然资源局工作人员，到厂检查用地，出示的核验码无效",
    )
    _shot(page, f"portal-inspections-report-{size}.png")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    complaint = Complaint.objects.get(enterprise=world.enterprise1_a, reports_unapproved_visit=True)
    assert complaint.channel == "portal" and complaint.number in page.content()

    # Once the department recorded the visit, the contact rates it on the visit's page: a
    # 不满意 needs a reason.
    from zhaoshang.core import clock
    from zhaoshang.inspections import services

    services.record_visit(
        world.user_department, visit, carried_out_on=clock.today(), findings="消防通道畅通，无问题"
    )
    page.goto(f"{base}/portal/inspections/{visit.pk}/")
    form = page.locator("[data-testid=rate-form]")
    form.locator("label[for=id_rate_rating_2]").click()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=rate-form] [data-field=comment]")
    _shot(page, f"portal-inspections-rate-{size}.png")
    page.locator("label[for=id_rate_rating_1]").click()
    page.fill("textarea[name=comment]", "检查时间比通知的长了一小时")
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=rating]")
    _shot(page, f"portal-inspections-rated-{size}.png")
    visit.refresh_from_db()
    assert visit.rating == "fairly"


def _qr_video(path, text: str, width: int = 640, height: int = 480) -> None:
    """A fake camera's video (Y4M, a few grey frames) showing ``text``'s QR code."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    border = 4
    side = len(matrix) + 2 * border
    scale = min(width, height) * 8 // 10 // side
    left, top = (width - side * scale) // 2, (height - side * scale) // 2
    luma = bytearray([255]) * (width * height)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(scale):
                start = (top + (y + border) * scale + dy) * width + left + (x + border) * scale
                luma[start : start + scale] = b"\x00" * scale
    chroma = bytes([128]) * (width * height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(10):
            out.write(b"FRAME\n" + bytes(luma) + chroma)


def test_the_contact_scans_the_slips_qr_code_with_the_camera(live_site, password, tmp_path):
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base, world = live_site
    visit = _today_visit(world)
    ARTIFACTS.mkdir(exist_ok=True)
    video = tmp_path / "slip.y4m"
    # What the slip's QR code holds: the public check's address of the code.
    _qr_video(video, f"{base}/verify/{visit.code}/")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            _log_in(page, base, "enterprise", password)
            page.goto(f"{base}/portal/inspections/check/")
            start = page.locator("[data-scan-start]")
            start.wait_for(state="visible")
            _shot(page, "portal-inspections-scan-phone.png")
            start.click()
            verdict = page.locator("[data-testid=verdict]")
            verdict.wait_for()
            assert verdict.get_attribute("data-answer") == "today"
            assert page.locator("[data-testid=checked-code]").inner_text() == visit.code
            _shot(page, "portal-inspections-scanned-phone.png")
        finally:
            from django.db import connections

            connections.close_all()
            context.close()
            browser.close()


def test_the_camera_is_turned_off_when_the_decoder_cannot_load(live_site, password, tmp_path):
    """The camera granted, the decoder not loaded (a bad connection): the page says the
    camera could not be used, and no track of the camera stays live."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base, _world = live_site
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        context.grant_permissions(["camera"], origin=base)
        # Keep every stream the page is given, to see whether its tracks end.
        context.add_init_script(
            "(() => { const md = navigator.mediaDevices; if (!md) return;"
            " const ask = md.getUserMedia.bind(md); window.__streams = [];"
            " md.getUserMedia = (c) => ask(c).then((s) => { window.__streams.push(s);"
            " return s; }); })();"
        )
        context.route("**/jsQR.js", lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            _log_in(page, base, "enterprise", password)
            page.goto(f"{base}/portal/inspections/check/")
            start = page.locator("[data-scan-start]")
            start.wait_for(state="visible")
            start.click()
            status = page.locator("[data-scan-status]")
            status.wait_for(state="visible")
            assert "摄像头" in status.inner_text()
            page.wait_for_function(
                "window.__streams.length > 0 && window.__streams.every("
                "(s) => s.getTracks().every((t) => t.readyState === 'ended'))"
            )
            assert page.locator("video").is_hidden()
        finally:
            from django.db import connections

            connections.close_all()
            context.close()
            browser.close()
