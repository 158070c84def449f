"""The stage page in real headless Chromium, on a phone (390×844) and on a desktop
(1440×900): the picker offers the next stage, the exit and going back (nothing skipped),
the panel lists each with its evidence and what is on file, and choosing a stage to go
back to asks for the reason instead of evidence."""

from __future__ import annotations

import pytest

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_stage_page_offers_only_what_the_service_accepts(
    live_site, browser_page, password, size, viewport
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoshang.projects import services
    from zhaoshang.projects.models import MaterialType

    base, world = live_site
    project = world.project1_a  # signed: next 已注册; exit; back to the three before
    services.upload_document(
        world.user_bureau,
        project,
        MaterialType.objects.get(code="business_license"),
        SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4 licence", content_type="application/pdf"),
    )
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "bureau", password)
    page.goto(f"{base}/projects/{project.pk}/stage/")
    page.wait_for_selector("[data-testid=stage-form]")

    values = page.eval_on_selector_all(
        "[data-testid=stage-pick] option", "options => options.map(o => o.value)"
    )
    assert values == ["registered", "exited", "lead", "negotiating", "prereview"]
    panel = page.locator("[data-testid=stage-moves]")
    assert panel.is_visible()
    on_file = panel.locator("[data-stage=registered] [data-evidence=business_license]")
    assert on_file.get_attribute("data-on-file") == "yes"
    assert "已备" in on_file.inner_text() or "on file" in on_file.inner_text()
    assert panel.locator("[data-stage=exited] [data-on-file=no]").count() == 1
    # The licence on file: the form says so beside its upload field.
    assert page.locator("[data-testid=stage-form] .text-success").count() == 1
    screenshot(page, ARTIFACTS / f"project-stage-{size}.png", full_page=True)

    # Going back: the picker reloads the page for that stage; a reason, no evidence.
    page.select_option("[data-testid=stage-pick]", "prereview")
    page.wait_for_url("**/stage/?to=prereview")
    assert page.locator("input[name=to_stage]").get_attribute("value") == "prereview"
    assert page.locator("[data-testid=stage-form] input[type=file]").count() == 0
    assert page.locator("label[for=id_reason] .text-danger").count() == 1
    screenshot(page, ARTIFACTS / f"project-stage-back-{size}.png", full_page=True)
