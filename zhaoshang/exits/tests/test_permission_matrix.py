"""Every person of the world × every route of the exits app × an in-scope, an out-of-scope
and an other-district warning.

The core matrix (``core/tests/test_permission_matrix.py``) reads ``ROUTES`` below, so a new
route of this app without an entry fails there. Expectations are the rules of SPEC §1 and
§11 written over the world: the supervision office, the bureau and admins act; leaders,
departments and the service center read; the park committee reads its park's projects;
city users read everything; enterprise users have no staff page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE, _own_district, _visible_project
from zhaoshang.exits.actions import ACTIONS
from zhaoshang.exits.models import ExitStep
from zhaoshang.exits.tests.factories import pdf

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "view" (can see it), "act" (the supervision
# office, the bureau and admins of the district)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "exits:list": (None, "staff", "GET"),
    "exits:export": (None, "staff", "GET"),
    "exits:detail": ("warning", "view", "GET"),
    "exits:document": ("document", "view", "GET"),
}
for _action in ACTIONS:
    ROUTES[f"exits:{_action.slug}"] = ("warning", "act", "POST")

# secretary holds the bureau role; bureau_b acts in district b only.
ACTORS = {"admin", "bureau", "supervisor", "secretary", "bureau_b"}


def _expected(who: str, route: str, target: str | None) -> int:
    _kind, needs, _method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if not _visible_project(who, target):
        return 404
    if needs == "view":
        return 200
    if not (who in ACTORS and _own_district(who, target)):
        return 403
    return 400  # an empty form is refused and changes nothing


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        for target in [None] if kind is None else ["in", "out", "other"]:
            yield pytest.param(route, target, id=f"{route}-{target}")


def _step(warning) -> ExitStep:
    step = ExitStep(
        warning=warning,
        kind="notice",
        occurred_on=warning.raised_on,
        original_name="通知书.pdf",
        recorded_by=_any_user(),
    )
    step.document.save("notice.pdf", pdf(), save=False)
    step.save()
    return step


def _any_user():
    from zhaoshang.org.models import User

    return User.objects.get(username="admin")


def _url(targets, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    warning = targets[target]
    if kind == "document":
        return reverse(route, args=[warning.pk, _step(warning).pk])
    return reverse(route, args=[warning.pk])


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, targets, route, target):
    url = _url(targets, route, target)
    method = ROUTES[route][2]
    before = targets[target].version if target else None

    def status(who):
        client = client_for(who)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        if target:
            targets[target].refresh_from_db()
            assert targets[target].version == before, who  # nothing changed
        return response.status_code

    expected = {who: _expected(who, route, target) for who in PEOPLE}
    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", [r for r in ROUTES if ROUTES[r][2] == "GET"])
def test_anonymous_users_are_sent_to_login(client, targets, route):
    kind = ROUTES[route][0]
    response = client.get(_url(targets, route, None if kind is None else "in"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_route_of_the_app_is_in_the_matrix():
    from zhaoshang.core.testing import route_names

    assert route_names("exits") == set(ROUTES)


API_ROUTES = ["list", "detail", *[a.slug for a in ACTIONS]]


def _api_expected(who: str, route: str, target: str | None) -> int:
    if who == "enterprise":
        return 403
    if route == "list":
        return 200
    if not _visible_project(who, target):
        return 404
    if route == "detail":
        return 200
    if who == "city":
        return 403  # read-only everywhere
    if not (who in ACTORS and _own_district(who, target)):
        return 403
    return 400


def _api_cases():
    for route in API_ROUTES:
        for target in [None] if route == "list" else ["in", "out", "other"]:
            yield pytest.param(route, target, id=f"api-{route}-{target}")


@pytest.mark.parametrize(("route", "target"), list(_api_cases()))
def test_api_permission_matrix(client_for, targets, route, target):
    def status(who):
        client = client_for(who)
        if route == "list":
            return client.get("/api/v1/warnings/").status_code
        if route == "detail":
            return client.get(f"/api/v1/warnings/{targets[target].pk}/").status_code
        before = targets[target].version
        response = client.post(f"/api/v1/warnings/{targets[target].pk}/{route}/", {})
        targets[target].refresh_from_db()
        assert targets[target].version == before, who
        return response.status_code

    expected = {who: _api_expected(who, route, target) for who in PEOPLE}
    assert_statuses(each_person(PEOPLE, status), expected, f"api {route} {target}")
