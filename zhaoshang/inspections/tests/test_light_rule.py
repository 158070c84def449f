"""A request awaiting approval carries a light: the decision is due by its planned date,
yellow from the district's window for inspections (亮灯规则), red once the date has passed
undecided. Emergencies (already carried out) and decided requests have none."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.inspections.models import InspectionRequest
from zhaoshang.inspections.tests.factories import PLANNED, make_request
from zhaoshang.monitoring.models import LightRule, Signal
from zhaoshang.monitoring.services import refresh_signals

pytestmark = pytest.mark.usefixtures("english")


def _light(request) -> str:
    return InspectionRequest.objects.with_days_left(clock.today()).get(pk=request.pk).light


def _row(html: str, request) -> str:
    start = html.index(f'data-inspection="{request.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_districts_rule_moves_the_yellow_window(world, client_for):
    filed = make_request(world)
    # Planned for 25 June, several working days ahead: green by the default window.
    assert _light(filed) == Light.GREEN

    LightRule.objects.create(
        district=world.district_a, subject=Subject.INSPECTION, yellow_workdays=10
    )
    assert _light(filed) == Light.YELLOW
    html = client_for("supervisor").get(reverse("inspections:list")).content.decode()
    assert 'data-light="yellow"' in _row(html, filed)

    # Only the district's rule for inspections counts.
    LightRule.objects.filter(district=world.district_a).update(subject=Subject.COMPLAINT)
    assert _light(filed) == Light.GREEN


def test_red_once_the_planned_date_passed_undecided(world, _frozen_time):
    filed = make_request(world)
    approved = make_request(world, by=world.user_admin, department=world.dept_land_a, approve=True)
    _frozen_time.move_to(datetime.datetime(2026, 6, 26, 2, tzinfo=datetime.UTC))
    assert clock.today() > PLANNED
    assert _light(filed) == Light.RED
    assert _light(approved) == Light.NONE


def test_an_emergency_has_no_light(world):
    emergency = make_request(
        world,
        planned_on=clock.today(),
        is_emergency=True,
        emergency_reason="群众举报，存在重大安全隐患。",
        quiet_day_reason="紧急",
    )
    assert _light(emergency) == Light.NONE


def test_the_daily_scan_shows_it_on_the_lights_board(world):
    filed = make_request(world)
    refresh_signals(subjects=[Subject.INSPECTION])
    assert not Signal.objects.filter(subject=Subject.INSPECTION).exists()
    LightRule.objects.create(
        district=world.district_a, subject=Subject.INSPECTION, yellow_workdays=10
    )
    refresh_signals(subjects=[Subject.INSPECTION])
    signal = Signal.objects.get(subject=Subject.INSPECTION)
    assert (signal.object_id, signal.light, signal.title) == (filed.pk, Light.YELLOW, filed.number)
    assert signal.department_id == world.dept_works_a.pk and signal.project_id is None
