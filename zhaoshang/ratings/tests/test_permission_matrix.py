"""Every person of the world × every route of the ratings app × an in-scope, an
out-of-scope and an other-district rating.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules of
SPEC §1 and §9 written over the world: the supervision office, the bureau, leaders and
admins see their district's ratings; a department's people see their department's; city
users see all and change nothing; only the supervision office (and admins) follow up."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.ratings.tests import conftest as fixtures
from zhaoshang.testing.matrix import Matrix, own_district
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "ratings:list": (None, "staff", "GET"),
    "ratings:detail": ("rating", "view", "GET"),
    "ratings:follow_up": ("rating", "follow_up", "POST"),
}

DISTRICT_READERS = {"admin", "bureau", "leader", "supervisor", "manager", "secretary"}
# The "in" rating is of 建设局 (the department of these people), "out" of 国土局.
WORKS = {"department", "officer", "outsider"}
FOLLOWERS = {"admin", "supervisor"}


def sees(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if target == "other":
        return False
    if who in DISTRICT_READERS:
        return True
    return who in WORKS and target == "in"


def expected(who: str, route: str, target: str | None) -> int:
    _kind, needs, _method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if not sees(who, target):
        return 404
    if needs == "view":
        return 200
    if who in FOLLOWERS and own_district(who, target):
        return 400  # an empty follow-up is refused, every problem named
    return 403


globals().update(built_once_per_module(fixture_function(fixtures.targets)))


def url(targets, route: str, target: str | None) -> str:
    if ROUTES[route][0] is None:
        return reverse(route)
    return reverse(route, args=[targets[target].pk])


def unchanged(targets, route: str, target: str | None):
    """A refused or an empty request leaves the rating's follow-up open."""

    def check(who, status):
        if target:
            targets[target].refresh_from_db()
            assert targets[target].followup == "open", who
            assert targets[target].followed_up_by_id is None, who

    return check


globals().update(Matrix(ROUTES, expected, url, namespaces=["ratings"], check=unchanged).tests())
