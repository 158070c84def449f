"""A case's light reads the district's light rule for cases (亮灯规则, subject ``case``):
changing the rule changes the light, on the worklist as in SQL (today is 2026-06-15)."""

from __future__ import annotations

import re

from django.urls import reverse

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.core import clock
from zhaoshang.monitoring.models import LightRule


def _light(case) -> str:
    return ApprovalCase.objects.with_days_left(clock.today()).get(pk=case.pk).light


def _worklist_light(client, case) -> str:
    html = client.get(reverse("approvals:worklist")).content.decode()
    row = re.search(rf'<tr data-case="{case.pk}">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'data-light="(\w+)"', row).group(1)


def test_the_district_rule_for_cases_sets_when_a_case_turns_yellow(world, client_for):
    case = world.case_a
    # Due on Thursday the 18th: three working days left.
    ApprovalCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.IN_PROGRESS,
        materials_complete_on=day("2026-06-12"),
        accepted_on=day("2026-06-12"),
        due_on=day("2026-06-18"),
    )
    bureau = client_for("bureau")
    # The default rule: yellow from one working day before the due date.
    assert _light(case) == "green"
    assert _worklist_light(bureau, case) == "green"

    LightRule.objects.create(district=world.district_a, subject="case", yellow_workdays=3)
    assert _light(case) == "yellow"
    assert _worklist_light(bureau, case) == "yellow"

    # Another district's rule, or another subject's, changes nothing here.
    LightRule.objects.filter(district=world.district_a).update(yellow_workdays=2)
    LightRule.objects.create(district=world.district_b, subject="case", yellow_workdays=5)
    LightRule.objects.create(district=world.district_a, subject="complaint", yellow_workdays=5)
    assert _light(case) == "green"


def test_a_case_light_by_its_due_date_reads_the_working_days_at_most_twice(world):
    """Red is a due date before today, judged without the working-day index (the daily
    scan's signals read every open case): the SQL looks the index up at most twice — the
    days left and, for a case not yet due, the yellow window — and every light is the
    one ``light_for_days_left`` gives the working days left, across a weekend and the
    Dragon Boat holiday (19–21 June 2026), a case paused or done having none."""
    import datetime

    from zhaoshang.core.lights import light_for_days_left
    from zhaoshang.workdays.services import days_left

    today = clock.today()  # Monday 2026-06-15
    sql = str(ApprovalCase.objects.with_days_left(today).query)
    # each rendering of the days left names the index twice (one branch for a past due
    # date, one for a date to come), of which one runs: two renderings, not three
    assert sql.count('"workdays_day"') == 4
    case = world.case_a
    ApprovalCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.IN_PROGRESS, accepted_on=day("2026-06-01"), paused=False
    )
    seen = set()
    for offset in range(-12, 14):
        due = today + datetime.timedelta(days=offset)
        ApprovalCase.objects.filter(pk=case.pk).update(due_on=due)
        expected = light_for_days_left(days_left(due, today), 1)
        assert _light(case) == expected, due
        seen.add(expected)
    assert seen == {"red", "yellow", "green"}
    ApprovalCase.objects.filter(pk=case.pk).update(due_on=day("2026-06-12"), paused=True)
    assert _light(case) == "none"
    ApprovalCase.objects.filter(pk=case.pk).update(paused=False, status=CaseStatus.DONE)
    assert _light(case) == "none"
