"""Every person of the world × every route of monitoring × an in-scope, an out-of-scope
and an other-district project. The core matrix reads ``ROUTES`` below."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE, _visible_project

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "monitoring:board": (None, "staff", "GET"),
    "monitoring:export": (None, "staff", "GET"),
    "monitoring:project": ("project", "view", "GET"),
}


def _expected(who: str, route: str, target: str | None) -> int:
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if target is None:
        return 200
    return 200 if _visible_project(who, target) else 404


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        for target in [None] if kind is None else ["in", "out", "other"]:
            yield pytest.param(route, target, id=f"{route}-{target}")


def _url(world, route: str, target: str | None) -> str:
    if target is None:
        return reverse(route)
    project = {"in": world.project1_a, "out": world.project2_a, "other": world.project1_b}[target]
    return reverse(route, args=[project.pk])


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, world, route, target):
    url = _url(world, route, target)
    expected = {who: _expected(who, route, target) for who in PEOPLE}
    got = each_person(PEOPLE, lambda who: client_for(who).get(url).status_code)
    assert_statuses(got, expected, f"GET {url}")


@pytest.mark.parametrize("route", list(ROUTES))
def test_anonymous_users_are_sent_to_login(client, world, route):
    kind = ROUTES[route][0]
    response = client.get(_url(world, route, None if kind is None else "in"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_route_of_the_app_is_in_the_matrix():
    from zhaoshang.core.testing import route_names

    assert route_names("monitoring") == set(ROUTES)


def test_signals_are_scoped_like_their_project(client_for, world):
    """The park committee of park 1 sees the signal of project1_a, not of project2_a; the
    other district sees neither."""
    import datetime

    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.monitoring.services import refresh_signals

    for case in (world.case_a, world.case_out_a):
        ApprovalCase.objects.filter(pk=case.pk).update(
            status="accepted", due_on=datetime.date(2026, 6, 12)
        )
    refresh_signals(datetime.date(2026, 6, 15))

    def rows(who):
        html = client_for(who).get(reverse("monitoring:board")).content.decode()
        return html.count("data-signal=")

    assert rows("bureau") == 2
    assert rows("park") == 1
    assert rows("bureau_b") == 0
    assert rows("city") == 2
