"""An action item's light reads its district's rule (亮灯规则) for action items: a wider
yellow window turns a green item yellow, on the board and in SQL; another district's rule
or another subject's changes nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.tests.factories import make_item
from zhaoshang.monitoring.models import LightRule


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def light_of(item) -> str:
    return ActionItem.objects.with_days_left(clock.today()).get(pk=item.pk).light


def board_lights(client) -> dict[int, str]:
    html = client.get(reverse("meetings:board")).content.decode()
    rows = re.findall(r'<tr data-item="(\d+)".*?data-light="(\w+)"', html, re.S)
    return {int(pk): light for pk, light in rows}


def test_the_districts_rule_for_action_items_turns_the_light(world, client_for):
    item = make_item(world, due_workdays=3)
    client = client_for("supervisor")
    assert light_of(item) == Light.GREEN
    assert board_lights(client)[item.pk] == Light.GREEN

    # Rules of another district or of another subject do not touch it.
    LightRule.objects.create(
        district=world.district_b, subject=Subject.ACTION_ITEM, yellow_workdays=5
    )
    LightRule.objects.create(district=world.district_a, subject=Subject.NEED, yellow_workdays=5)
    assert light_of(item) == Light.GREEN

    rule = LightRule.objects.create(
        district=world.district_a, subject=Subject.ACTION_ITEM, yellow_workdays=3
    )
    assert light_of(item) == Light.YELLOW
    assert board_lights(client)[item.pk] == Light.YELLOW
    page = client.get(reverse("meetings:board"), {"light": "yellow"}).content.decode()
    assert f'data-item="{item.pk}"' in page

    rule.yellow_workdays = 2
    rule.save()
    assert light_of(item) == Light.GREEN
