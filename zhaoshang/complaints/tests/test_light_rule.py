"""A complaint's light reads the district's light rule (亮灯规则) for complaints: the yellow
window before its deadline is the district's, not a fixed working day."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core import clock
from zhaoshang.core.lights import Light, Subject
from zhaoshang.monitoring.models import LightRule


def _light(complaint) -> str:
    return Complaint.objects.with_days_left(clock.today()).get(pk=complaint.pk).light


def test_the_districts_rule_moves_the_yellow_window(world, client_for):
    dispatched = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    accepted = services.accept_complaint(world.user_department, dispatched)
    # Answer due in 5 working days: green under the default window of 1 working day.
    assert _light(accepted) == Light.GREEN

    LightRule.objects.create(
        district=world.district_a, subject=Subject.COMPLAINT, yellow_workdays=5
    )
    assert _light(accepted) == Light.YELLOW
    page = client_for("supervisor").get(reverse("complaints:list"), {"light": "yellow"})
    assert accepted.number in page.content.decode()

    # Another district's rule, or another subject's, changes nothing here.
    LightRule.objects.filter(district=world.district_a).update(subject=Subject.CASE)
    LightRule.objects.create(
        district=world.district_b, subject=Subject.COMPLAINT, yellow_workdays=10
    )
    assert _light(accepted) == Light.GREEN
