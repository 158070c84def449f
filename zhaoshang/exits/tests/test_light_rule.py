"""An exit warning under a rectification notice carries a light: the enterprise rectifies
by the notice's date, yellow from the district's window for exit warnings (亮灯规则), red
once the date has passed. The other steps carry no deadline and no light."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.exits import services
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.tests.factories import make_warning, pdf
from zhaoshang.monitoring.models import LightRule, Signal
from zhaoshang.monitoring.services import refresh_signals

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date
RECTIFY_BY = D(2026, 7, 15)


def _light(warning) -> str:
    return ExitWarning.objects.with_days_left(clock.today()).get(pk=warning.pk).light


def _noticed(world, deadline=RECTIFY_BY):
    warning = make_warning(world)
    services.issue_notice(world.user_supervisor, warning, deadline=deadline, document=pdf())
    return warning


def test_the_districts_rule_moves_the_yellow_window(world, client_for):
    warning = _noticed(world)
    # Rectify by 15 July, a month ahead: green by the default window.
    assert _light(warning) == Light.GREEN

    LightRule.objects.create(district=world.district_a, subject=Subject.WARNING, yellow_workdays=30)
    assert _light(warning) == Light.YELLOW
    page = client_for("supervisor").get(reverse("exits:list")).content.decode()
    row = page[page.index(f'data-warning="{warning.pk}"') :]
    assert 'data-light="yellow"' in row[: row.index("</tr>")]
    refresh_signals(subjects=[Subject.WARNING])
    signal = Signal.objects.get(subject=Subject.WARNING)
    assert (signal.object_id, signal.light, signal.due_on) == (
        warning.pk,
        Light.YELLOW,
        D(2026, 7, 15),
    )
    assert signal.project_id == warning.project_id

    # Only the district's rule for exit warnings counts.
    LightRule.objects.filter(district=world.district_a).update(subject=Subject.COMPLAINT)
    assert _light(warning) == Light.GREEN
    refresh_signals(subjects=[Subject.WARNING])
    assert not Signal.objects.filter(subject=Subject.WARNING).exists()


def test_red_once_the_rectification_date_passed(world, _frozen_time):
    warning = _noticed(world, deadline=D(2026, 6, 20))
    _frozen_time.move_to(datetime.datetime(2026, 6, 23, 2, tzinfo=datetime.UTC))
    assert _light(warning) == Light.RED


def test_no_light_without_a_notice(world):
    assert _light(make_warning(world)) == Light.NONE
