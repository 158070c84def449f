"""The example ledger (``onboarding/examples/ledger-example.xlsx``) through the pages in real
headless Chromium, as 南城区's administrator would bring it in: upload it, walk the sheets,
the columns and the values as suggested, see the one bad row reported (a date typed with month
13) and nothing saved; upload the corrected copy, check it, import it, see the batch. A page
waiting for a background run follows its progress and moves on when it is done.

Screenshots of each step at 1440 and 390 px wide go to /tmp/shots/onboarding/ when asked for
(``TEST_SCREENSHOTS=1``, ``zhaoshang/testing/browser.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from zhaoshang.core.models import ImportBatch, ImportStatus
from zhaoshang.onboarding.tests.district import AFTER_THE_CUTOFF, corrected_example, create_south
from zhaoshang.onboarding.views import EXAMPLE
from zhaoshang.projects.models import Project
from zhaoshang.testing import PASSWORD
from zhaoshang.testing.browser import SCREENSHOTS, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not EXAMPLE.exists(), reason="the example ledger is not written yet"),
]

SHOTS = Path("/tmp/shots/onboarding")
SIZES = [("1440", {"width": 1440, "height": 900}), ("390", {"width": 390, "height": 844})]
LONG = 240_000  # ms: the check and the import of the nine sheets run in the request


def shot(page, name: str) -> None:
    """The page at both widths (the desktop's restored afterwards), when screenshots are
    asked for (``SCREENSHOTS``)."""
    if not SCREENSHOTS:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in SIZES:
        page.set_viewport_size(viewport)
        screenshot(page, SHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(SIZES[0][1])


def upload_and_walk(page, base: str, path: Path, *, shots: str = "") -> int:
    """Upload ``path`` as a whole workbook and go through the three mapping steps as
    suggested; returns the batch's id (the check page is then open)."""
    page.goto(f"{base}{reverse('onboarding:index')}")
    if shots:
        shot(page, f"{shots}1-index")
    page.set_input_files("#id_file", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/onboarding/\d+/sheets/$"))
    batch_id = int(re.search(r"/onboarding/(\d+)/", page.url).group(1))
    assert page.locator("[data-testid=sheet]").count() == 9
    # The project sheet's header is its fourth row (a title, a unit line and a group above).
    ledger = page.locator("[data-testid=sheet][data-sheet='项目台账']")
    assert ledger.locator("input[type=radio]:checked").get_attribute("value") == "3"
    assert ledger.locator("[data-testid=kind]").input_value() == "projects"
    if shots:
        shot(page, f"{shots}2-sheets")
    page.click("[data-testid=next]")
    page.wait_for_url(f"**/onboarding/{batch_id}/columns/")
    amount = page.locator("[data-testid=column][data-header='计划总投资（亿元）']")
    assert amount.locator("select").first.input_value() == "total_investment"
    assert amount.locator("select").nth(1).input_value() == "100m"
    if shots:
        shot(page, f"{shots}3-columns")
    page.click("[data-testid=next]")
    page.wait_for_url(f"**/onboarding/{batch_id}/values/")
    park = page.locator("[data-testid=value-column][data-key=park]").first
    chosen = park.locator("[data-testid=value][data-value='新能源园'] select")
    assert "新能源" in chosen.locator("option:checked").text_content()  # their short name → ours
    if shots:
        shot(page, f"{shots}4-values")
    page.click("[data-testid=next]", no_wait_after=True)
    page.wait_for_url(f"**/onboarding/{batch_id}/check/", timeout=LONG)
    return batch_id


def test_the_example_ledger_through_the_pages(
    live_site, browser_page, _frozen_time, settings, tmp_path
):
    # The ledger's ~590 rows are checked and imported by a task: run at once, no worker here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _frozen_time.move_to(AFTER_THE_CUTOFF)
    base, _world = live_site
    district, admin = create_south()
    page = browser_page
    page.set_viewport_size(SIZES[0][1])
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, base, admin.username, PASSWORD)

    # The example as it is: the one bad row is reported, by sheet, row, column and value.
    first = upload_and_walk(page, base, EXAMPLE, shots="")
    page.wait_for_selector("[data-testid=problems]", timeout=LONG)
    problem = page.locator("[data-testid=problem]").first.inner_text()
    assert "项目台账" in problem and "26" in problem and "2026.13." in problem, problem
    assert page.locator("[data-testid=import]").count() == 0
    shot(page, "5-check-problems")
    assert not Project.objects.filter(district=district).exists()

    # While a run is in the background the page follows it, then moves on by itself.
    ImportBatch.objects.filter(pk=first).update(status=ImportStatus.QUEUED)
    page.goto(f"{base}{reverse('onboarding:check', args=[first])}")
    page.wait_for_selector("[data-testid=progress]")
    shot(page, "5b-progress")
    ImportBatch.objects.filter(pk=first).update(status=ImportStatus.DRAFT)
    page.wait_for_selector("[data-testid=problems]", timeout=10_000)

    # The corrected copy: the saved mapping is reused, the check passes, the import runs.
    corrected = tmp_path / "南城区招商引资项目推进台账（更正）.xlsx"
    corrected_example(corrected)
    second = upload_and_walk(page, base, corrected, shots="")
    page.wait_for_selector("[data-testid=checked]", timeout=LONG)
    shot(page, "6-check-passed")
    page.click("[data-testid=import]", no_wait_after=True)
    page.wait_for_url(f"**/onboarding/{second}/", timeout=LONG)
    page.wait_for_selector("[data-testid=status][data-status=imported]", timeout=LONG)
    assert Project.objects.filter(district=district).count() == 40
    assert page.locator("[data-testid=records] tbody tr").count() == 50  # the first page
    shot(page, "7-batch")
    page.goto(f"{base}{reverse('onboarding:index')}")
    assert page.locator("[data-testid=batches] tbody tr").count() == 2
    shot(page, "1-index")
    # The mapping steps of the first batch, for the pictures (when they are taken).
    for name, route in (("2-sheets", "sheets"), ("3-columns", "columns"), ("4-values", "values")):
        if SCREENSHOTS:
            page.goto(f"{base}{reverse(f'onboarding:{route}', args=[first])}")
            shot(page, name)
