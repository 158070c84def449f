"""Each role's home in real headless Chromium, on a desktop (1440×900), a wall (1920×1080) and on a
phone (390×844): the sections of the role are drawn, every count links to its list, the charts
(the bureau's funnel, the city's districts) are drawn, nothing overflows the phone's width,
and the leader reads a receipt (圈阅) in one click.
Screenshots: ``home-<role>-<size>.png`` in the test artifacts."""

from __future__ import annotations

import pytest

from zhaoshang.dashboard.tests.records import make_receipt
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import inked, log_in_as, screenshot, wait_for_chart
from zhaoshang.testing.browser import log_in as _log_in

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WALL = {"width": 1920, "height": 1080}
HOMES = {
    "department": "department",
    "supervisor": "supervisor",
    "leader": "leader",
    "park": "park",
    "secretary": "team",
    "manager": "team",
    "bureau": "bureau",
    "city": "city",
    "admin": None,
}
CHARTS = {
    "bureau": ["home-funnel"],
    "secretary": ["home-funnel"],  # the world's secretary works at the bureau
    "city": ["home-districts", "home-districts-money"],
}


def _work(world):
    """Something to do for each role: a case to accept, complaints, receipts to read."""
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.projects.choices import Stage
    from zhaoshang.projects.models import Project

    ApprovalCase.objects.filter(pk=world.case_a.pk).update(status="pending")
    Project.objects.filter(pk=world.project1_a.pk).update(stage=Stage.STARTED)
    return [make_receipt(world, world.user_leader, n) for n in range(1, 4)]


@pytest.mark.parametrize(
    ("size", "viewport"), [("desktop", DESKTOP), ("wall", WALL), ("phone", PHONE)]
)
def test_each_roles_home(live_site, browser_page, password, size, viewport):
    from zhaoshang.service.models import Receipt

    base, world = live_site
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    receipts = _work(world)
    for who, section in HOMES.items():
        log_in_as(page, base, who)  # the stored session, not the log-in form nine times
        page.goto(f"{base}/")
        if section:
            block = page.locator(f"[data-home-section={section}]")
            block.wait_for()
            for link in block.locator("a.zs-tile").all():
                assert link.get_attribute("href").startswith("/")
        for key in CHARTS.get(who, []):
            selector = f"#chart-{key}"
            wait_for_chart(page, selector)
            assert inked(page, selector) > 0.02, f"{who}: {key} is blank"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{who}: the page is {width}px wide"
        screenshot(page, ARTIFACTS / f"home-{who}-{size}.png", full_page=True)

    # 圈阅 in one click: the receipt leaves the list and is read.
    _log_in(page, base, "leader", password)
    page.goto(f"{base}/")
    first = page.locator("[data-home-section=leader] form button").first
    first.click()
    page.wait_for_load_state()
    read = Receipt.objects.filter(pk__in=[r.pk for r in receipts], read_at__isnull=False)
    assert read.count() == 1
    assert page.locator("[data-home-section=leader] form").count() == len(receipts) - 1
