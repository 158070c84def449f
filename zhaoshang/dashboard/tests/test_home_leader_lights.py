"""The leader's tile of the lights on the projects they serve (``leader.figures`` "mine",
``figures.served_lights``) counts up to ``leader.CAP`` + 1 and shows "CAP+" above: equal to
the lights board's own filter (my_projects=on) capped, with none, a few and many of the
person's projects lit — served on the team, as designated leader, through a department's
pairing — for whoever sees a whole district (a kept statement) and for a park committee's
person, who sees part of it; the other tiles (red, the joint meeting's, those escalated to the leader in
charge) stay exact."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.dashboard.homes import leader, live_figures
from zhaoshang.dashboard.tests.records import request_as
from zhaoshang.dashboard.tests.screen_records import red_signal
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.models import Signal
from zhaoshang.projects.models import Project

D = datetime.date
TILE = r'href="[^"]*\?my_projects=on" data-count="(\d+)"( data-more)?>\s*<div[^>]*>([^<]*)<'


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _clone(project, n: int, **changes) -> Project:
    project = Project.objects.get(pk=project.pk)
    project.pk = None
    project.code, project.name = f"LT{n:04d}", f"灯项目{n}"
    for name, value in changes.items():
        setattr(project, name, value)
    project.save()
    return project


def _light(project, n: int, level: int = Level.NONE, light: str = "red") -> None:
    signal = red_signal(project, f"事项{n}", D(2026, 6, 1) + datetime.timedelta(days=n % 20))
    Signal.objects.filter(pk=signal.pk).update(level=level, light=light)


def _check(users, caps) -> dict:
    """Each user's leader figures against the board's, for each cap; the exact counts."""
    exact = {}
    for user in users:
        request = request_as(user)
        declared = {f.key: f for f in leader.declared(request)}
        exact[user.username] = declared["mine"].live(request)
        for cap in caps:
            leader.CAP = cap
            fast = leader.figures(request)
            assert fast["mine"] == min(exact[user.username], cap + 1), (user, cap, fast)
            assert fast == live_figures(request, leader.declared(request)), (user, cap)
            # (the leader's own tile of escalated lights stays exact)
            assert fast["mine_leader"] == declared["mine_leader"].live(request)
    return exact


def test_the_lights_of_my_projects_up_to_the_cap(world, monkeypatch):
    User = type(world.user_manager)
    monkeypatch.setattr(leader, "CAP", leader.CAP)  # (restored after the test)
    manager = User.objects.get(username="manager")  # team and designated leader of project1
    officer = User.objects.get(username="officer")  # the works department's, on the team
    other = User.objects.get(username="leader")  # serves nothing
    park = User.objects.get(username="park")  # sees part of the district: project1's park
    in_park = _clone(world.project1_a, 3, designated_leader=park)  # (project1's park)
    users = [manager, officer, other, park]
    caps = (1, 2, 3, 5, 99)

    # None lit: lights on projects nobody of them serves only.
    for n in range(3):
        _light(world.project2_a, n, level=Level.MEETING if n == 0 else Level.NONE)
    exact = _check(users, caps)
    assert exact == {"manager": 0, "officer": 0, "leader": 0, "park": 0}

    # A few: project1 (team, pairing), one where the manager is the designated leader only,
    # one the works department is paired with only; one escalated to the leader in charge.
    _light(world.project1_a, 10, level=Level.LEADER)
    _light(world.project1_a, 11, light="yellow")
    designated = _clone(world.project2_a, 1, designated_leader=manager)
    _light(designated, 12)
    paired = _clone(world.project2_a, 2)
    paired.paired_departments.add(world.project1_a.paired_departments.first())
    _light(paired, 13)
    _light(in_park, 14)
    _light(in_park, 15, light="yellow")
    exact = _check(users, caps)
    assert exact == {"manager": 3, "officer": 3, "leader": 0, "park": 2}

    # Many: ten more of the manager's projects lit, two lights each (and two more unserved).
    for n in range(10):
        project = _clone(world.project2_a, 100 + n, designated_leader=manager)
        _light(project, 2 * n)
        _light(project, 2 * n + 1, level=Level.LEADER if n == 0 else Level.NONE)
    _light(world.project2_a, 50)
    exact = _check(users, caps)
    assert exact == {"manager": 23, "officer": 3, "leader": 0, "park": 2}

    # The other district's leader: the statement kept for this district's, run with theirs.
    leader_b = User.objects.get(username="leader_b")
    _light(world.project1_b, 60)
    assert _check([leader_b], caps) == {"leader_b": 0}


def test_the_tile_shows_the_cap_plus_above_it(world, client_for, monkeypatch):
    User = type(world.user_manager)
    manager = User.objects.get(username="manager")
    for n in range(5):
        _light(_clone(world.project2_a, 200 + n, designated_leader=manager), n)
    client = client_for("manager")
    client.cookies["django_language"] = "en"
    monkeypatch.setattr(leader, "CAP", 3)
    html = client.get(reverse("home")).content.decode()
    assert re.search(TILE, html).groups() == ("4", " data-more", "3+"), html
    monkeypatch.setattr(leader, "CAP", 99)
    html = client.get(reverse("home")).content.decode()
    assert re.search(TILE, html).groups() == ("5", None, "5")
