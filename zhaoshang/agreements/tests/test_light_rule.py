"""Every light of agreements reads the district's light rule (亮灯规则), never a fixed number
of days: an obligation by the rule for obligations, a milestone by the rule for milestones,
and a service commitment — which is its reverse schedule — by the rule for milestones too
(today is Monday 2026-06-15; 19 June is the Dragon Boat Festival)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhaoshang.agreements.models import Commitment, Milestone, Obligation
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import day
from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.monitoring.models import LightRule

pytestmark = pytest.mark.django_db


def _row(html: str, marker: str) -> str:
    """The table row (``<tr>`` … ``</tr>``) holding ``marker``."""
    (row,) = [row for row in html.split("<tr")[1:] if marker in row.split("</tr>")[0]]
    return row.split("</tr>")[0]


def test_an_obligation_follows_the_districts_rule_for_obligations(world, make_agreement):
    agreement = make_agreement(
        schedule=[(day("2026-06-30"), Decimal("1000")), (day("2026-12-31"), Decimal("20000"))]
    )
    ob = agreement.obligations.get(term="schedule", due_on=day("2026-06-30"))

    def light():
        return Obligation.objects.with_status(clock.today()).get(pk=ob.pk).light

    # Ten working days ahead: green by the default window of one working day.
    assert light() == Light.GREEN
    rule = LightRule.objects.create(
        district=world.district_a, subject=Subject.MILESTONE, yellow_workdays=15
    )
    assert light() == Light.GREEN  # another subject's rule changes nothing
    rule.subject = Subject.OBLIGATION
    rule.save()
    assert light() == Light.YELLOW
    # The other district's rule is not this one's.
    LightRule.objects.filter(pk=rule.pk).update(district=world.district_b)
    assert light() == Light.GREEN


def _commitment(make_commitment) -> Commitment:
    # Steps of 3 and 2 working days ending on Friday 3 July: the first is due on 1 July.
    return make_commitment(
        steps=[Step("施工图审查", 3), Step("施工许可核发", 2)],
        start_on=day("2026-06-01"),
        target_on=day("2026-07-03"),
    )


def test_a_milestone_follows_the_districts_rule_for_milestones(world, make_commitment, client_for):
    commitment = _commitment(make_commitment)
    first = commitment.milestones.order_by("seq").first()

    def light():
        return Milestone.objects.with_state(clock.today()).get(pk=first.pk).light

    assert light() == Light.GREEN
    LightRule.objects.create(
        district=world.district_a, subject=Subject.OBLIGATION, yellow_workdays=15
    )
    assert light() == Light.GREEN
    LightRule.objects.create(
        district=world.district_a, subject=Subject.MILESTONE, yellow_workdays=15
    )
    assert light() == Light.YELLOW
    html = client_for("bureau").get(reverse("agreements:milestones")).content.decode()
    assert 'data-light="yellow"' in html and 'data-light="green"' not in html


def test_a_commitment_follows_the_districts_rule_for_milestones(world, make_commitment, client_for):
    """The commitment's own yellow (a milestone or the target date within the window) was
    one working day whatever the district said; it now reads the milestones' rule."""
    commitment = _commitment(make_commitment)

    def light():
        return Commitment.objects.with_progress(clock.today()).get(pk=commitment.pk).light

    assert light() == Light.GREEN
    rule = LightRule.objects.create(
        district=world.district_a, subject=Subject.MILESTONE, yellow_workdays=15
    )
    assert light() == Light.YELLOW
    row = _row(
        client_for("bureau").get(reverse("agreements:commitments")).content.decode(),
        reverse("agreements:commitment", args=[commitment.pk]),
    )
    assert 'data-light="yellow"' in row

    # The window reaches the first milestone (due 1 July, 11 working days away) but not
    # the target (3 July, 13): yellow by the milestone; a narrower window, green.
    rule.yellow_workdays = 12
    rule.save()
    progress = Commitment.objects.with_progress(clock.today()).get(pk=commitment.pk)
    assert (progress.light, progress.milestones_soon) == (Light.YELLOW, 1)
    rule.yellow_workdays = 10
    rule.save()
    assert light() == Light.GREEN
