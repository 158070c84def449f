"""A problem's light reads its district's rule (亮灯规则) for problems: a wider yellow window
turns a green problem yellow — on the problem list, in SQL, and for the project on the
leader's designated-contact view; another district's rule or another subject's changes
nothing."""

from __future__ import annotations

import re

from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.monitoring.models import LightRule
from zhaoshang.service.models import Need


def light_of(need) -> str:
    return Need.objects.with_days_left(clock.today()).get(pk=need.pk).light


def list_lights(client) -> dict[int, str]:
    html = client.get(reverse("service:needs")).content.decode()
    rows = re.findall(r'<tr data-need="(\d+)".*?data-light="(\w+)"', html, re.S)
    return {int(pk): light for pk, light in rows}


def designated_light(client) -> str:
    (project,) = list(client.get(reverse("service:designated")).context["page"])
    return project.light


def test_the_districts_rule_for_problems_turns_the_light(world, client_for, raise_need):
    need = raise_need(due_workdays=4)
    bureau, manager = client_for("bureau"), client_for("manager")
    assert light_of(need) == Light.GREEN
    assert list_lights(bureau)[need.pk] == Light.GREEN
    assert designated_light(manager) == Light.GREEN

    # Rules of another district or of another subject do not touch it.
    LightRule.objects.create(district=world.district_b, subject=Subject.NEED, yellow_workdays=6)
    LightRule.objects.create(
        district=world.district_a, subject=Subject.ACTION_ITEM, yellow_workdays=6
    )
    assert light_of(need) == Light.GREEN
    assert designated_light(manager) == Light.GREEN

    rule = LightRule.objects.create(
        district=world.district_a, subject=Subject.NEED, yellow_workdays=4
    )
    assert light_of(need) == Light.YELLOW
    assert list_lights(bureau)[need.pk] == Light.YELLOW
    assert designated_light(manager) == Light.YELLOW

    rule.yellow_workdays = 3
    rule.save()
    assert light_of(need) == Light.GREEN
    assert designated_light(manager) == Light.GREEN
