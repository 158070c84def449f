"""``homes.figures.lights_by_due_date`` counts the lights ``with_days_left`` gives as two
ranges of due dates: the same counts for a deadline on every day from three weeks before
today to six weeks after (working days and days off alike), for the default window and a
district's own, a window reaching past the index's last day, and a paused case."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light, Subject
from zhaoshang.dashboard.homes.figures import lights_by_due_date
from zhaoshang.monitoring.models import LightRule
from zhaoshang.workdays.models import Day

D = datetime.date
TODAY = D(2026, 6, 15)


def _counts(world, district_id) -> tuple[dict, dict]:
    cases = ApprovalCase.objects.filter(pk=world.case_a.pk).open().filter(paused__in=[False])
    by_light = cases.with_days_left(TODAY)
    expected = {
        "red": by_light.filter(light=Light.RED).count(),
        "yellow": by_light.filter(light=Light.YELLOW).count(),
    }
    return lights_by_due_date(cases, TODAY, district_id, Subject.CASE), expected


@pytest.mark.parametrize("window", [None, 1, 7])
def test_the_ranges_give_the_lights_of_every_due_date(world, window):
    district = world.case_a.district_id
    if window is not None:
        LightRule.objects.create(district_id=district, subject=Subject.CASE, yellow_workdays=window)
    seen = {"red": 0, "yellow": 0}
    for offset in range(-20, 45):
        ApprovalCase.objects.filter(pk=world.case_a.pk).update(
            due_on=TODAY + datetime.timedelta(days=offset), paused=False
        )
        found, expected = _counts(world, district)
        assert found == expected, (window, offset)
        for light in seen:
            seen[light] += found[light]
    assert seen["red"] and seen["yellow"]


def test_a_paused_case_and_a_window_past_the_index_end(world):
    district = world.case_a.district_id
    case = ApprovalCase.objects.filter(pk=world.case_a.pk)
    case.update(due_on=TODAY - datetime.timedelta(days=3), paused=True)
    assert _counts(world, district)[0] == {"red": 0, "yellow": 0}
    # The index ends three days after today: past it a deadline has no light.
    Day.objects.filter(date__gt=TODAY + datetime.timedelta(days=3)).delete()
    for offset in range(0, 8):
        case.update(due_on=TODAY + datetime.timedelta(days=offset), paused=False)
        found, expected = _counts(world, district)
        assert found == expected, offset
