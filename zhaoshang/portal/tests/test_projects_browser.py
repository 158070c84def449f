"""My projects and commitments in real headless Chromium, on a phone (390×844) and a
desktop (1440×900): the enterprise contact opens the service hall's home, a project and
its commitments; nothing is wider than the screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)
SIZES = {"390": (390, 844), "1440": (1440, 900)}


def _log_in(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/portal/")


def _fits(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url}: {overflow}px wide on a {width}px screen"


def _world_of_commitments(world) -> None:
    from zhaoshang.agreements import services
    from zhaoshang.agreements.choices import ObligationKind, Party
    from zhaoshang.agreements.tests import conftest as agreement_fixtures
    from zhaoshang.monitoring.services import refresh_signals
    from zhaoshang.org.models import User
    from zhaoshang.portal.tests.test_projects_pages import _need
    from zhaoshang.testing.shared import fixture_function

    make_agreement = fixture_function(agreement_fixtures.make_agreement)(world)
    make_commitment = fixture_function(agreement_fixtures.make_commitment)(world)
    agreement = make_agreement()
    services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_land_a,
        kind=ObligationKind.SERVICE,
        title="交付净地并完成三通一平",
        target_text="完成场地平整",
        due_on=datetime.date(2026, 8, 31),
    )
    make_commitment()
    _need(world, world.project1_a, title="施工临时用电增容", due_on=datetime.date(2026, 6, 10))
    for name, phone in (("manager", "13800000001"), ("secretary", "13800000002")):
        User.objects.filter(username=name).update(phone=phone)
    User.objects.filter(username="officer").update(phone="023-60000003")
    refresh_signals()


def test_home_project_and_commitments_on_a_phone_and_a_desktop(live_site, browser_page, password):
    base, world = live_site
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    _world_of_commitments(world)
    project = world.project1_a

    _log_in(page, base, "enterprise", password)
    for tag, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})

        page.goto(f"{base}/portal/")
        card = page.locator(f"[data-project='{project.pk}']")
        card.wait_for()
        assert "华鑫新能源电池项目" in card.inner_text()
        assert card.locator("[data-testid=project-light] [data-light=red]").count() == 1
        assert "施工临时用电增容" in card.locator("[data-testid=light-reasons]").inner_text()
        assert card.locator("[data-testid=next-deadline]").inner_text().strip() != ""
        assert page.locator("[data-todo=cases]").inner_text() == "1"
        _fits(page, width)
        screenshot(page, ARTIFACTS / f"portal-home-{tag}.png", full_page=True)

        card.locator("a", has_text="华鑫新能源电池项目").click()
        page.locator("[data-testid=stage-line]").wait_for()
        assert "2026-03-02" in page.locator("[data-stage=signed]").inner_text()
        team = page.locator("[data-testid=team]")
        assert team.locator("a[href='tel:13800000001']").count() == 1
        assert "Manager" in page.locator("[data-testid=leader]").inner_text()
        government = page.locator("[data-testid=deadlines-government]").inner_text()
        assert "交付净地并完成三通一平" in government and "城市建筑垃圾处置核准" in government
        own = page.locator("[data-testid=deadlines-enterprise]")
        assert own.locator("[data-deadline=report]").count() == 1
        _fits(page, width)
        screenshot(page, ARTIFACTS / f"portal-project-{tag}.png", full_page=True)

        page.goto(f"{base}/portal/commitments/")
        section = page.locator(f"section[data-project='{project.pk}']")
        section.wait_for()
        assert section.locator("[data-testid=own-obligations] [data-status=missed]").count() >= 1
        assert "区国土局" in section.locator("[data-testid=department-obligations]").inner_text()
        assert "施工许可办理服务承诺" in section.inner_text()
        _fits(page, width)
        screenshot(page, ARTIFACTS / f"portal-commitments-{tag}.png", full_page=True)
