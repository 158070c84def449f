"""The project autocomplete (issue 19.3) in real headless Chromium, on the department
worklist's filter: typing asks the server, the keyboard chooses a suggestion, the hidden
select carries the chosen project's id, and the filtered worklist comes back with the
project still chosen (its label in the box)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.testing.browser import log_in

pytestmark = [pytest.mark.browser]

SUGGESTIONS = """(id) => Array.from(document.querySelectorAll('#' + id + ' li[role=option]'))
  .map(li => li.textContent.trim())"""


def wait_for_suggestions(page, list_id: str, typed: str) -> None:
    """Wait until the suggestions answer what was typed: every one of them names it (the
    list the click opened, before the typing, holds it too among the others; under load
    it was still shown when a mere "some suggestion names it" was satisfied)."""
    page.wait_for_function(
        """([id, typed]) => {
          const options = Array.from(document.querySelectorAll('#' + id + ' li[role=option]'));
          return options.length > 0 && options.every(li => li.textContent.includes(typed));
        }""",
        arg=[list_id, typed],
    )


def test_type_choose_with_the_keyboard_and_filter(live_site, browser_page, password):
    from playwright.sync_api import expect

    base, world = live_site
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "bureau", password)
    page.goto(f"{base}{reverse('approvals:worklist')}")
    assert page.locator("select#id_project option").count() == 1  # "All" only

    box = page.locator("#id_project-search")
    assert box.get_attribute("role") == "combobox"
    box.click()
    box.type("华鑫")
    list_id = box.get_attribute("aria-controls")
    wait_for_suggestions(page, list_id, "华鑫")
    assert page.evaluate(SUGGESTIONS, list_id) == ["ZS-2025-0001 华鑫新能源电池项目"]
    page.keyboard.press("Enter")
    assert page.input_value("#id_project") == str(world.project1_a.pk)
    expect(box).to_have_value("ZS-2025-0001 华鑫新能源电池项目")

    page.locator("select#id_project").evaluate("s => s.form.requestSubmit()")
    page.wait_for_url(f"**project={world.project1_a.pk}**")
    expect(page.locator("#id_project-search")).to_have_value("ZS-2025-0001 华鑫新能源电池项目")
    assert page.locator(f'[data-case="{world.case_a.pk}"]').count() >= 1


def test_a_park_user_finds_another_parks_project_for_a_parcel(live_site, browser_page, password):
    """The parcel form offers every project of the district (core.widgets.offer_scope): a
    park committee, which sees only its park's projects elsewhere, finds project2_a here."""
    base, world = live_site
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "park", password)
    page.goto(f"{base}{reverse('land:parcel_create')}")
    box = page.locator("#id_project-search")
    box.click()
    box.type("蜀味")
    list_id = box.get_attribute("aria-controls")
    wait_for_suggestions(page, list_id, "蜀味")
    assert page.evaluate(SUGGESTIONS, list_id) == ["ZS-2025-0002 蜀味食品加工项目"]
    page.keyboard.press("Enter")
    assert page.input_value("#id_project") == str(world.project2_a.pk)
