"""Every person of the world × every route of the inspections app (and the public
verification routes) × an in-scope, an out-of-scope and an other-district request.

The core matrix (``core/tests/test_permission_matrix.py``) reads ``ROUTES`` below, so a new
route of this app without an entry fails there. Expectations are the rules of SPEC §1 and
§9 written over the world (targets: see ``conftest.targets``).
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE, _own_district
from zhaoshang.inspections.actions import REQUEST_ACTIONS, VISIT_ACTIONS

# route name -> (kind of object in the URL, what the user needs, method)
# kinds: "request", "visit" (the request's first visit), "code" (its verification code)
# needs: "staff" (any government user), "file" (a person of a department, or an admin),
# "receive" (reports unapproved visits, records ratings), "view" (can see it), "codes"
# (filing department or supervision office), "decide" (the supervision office), "manage"
# (the filing department), "rate" (receivers or the visited enterprise's own user),
# "public" (anybody, no login), "enterprise_rate" (the visited enterprise's own user)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "inspections:list": (None, "staff", "GET"),
    "inspections:export": (None, "staff", "GET"),
    "inspections:create": (None, "file", "GET"),
    "inspections:report": (None, "receive", "GET"),
    "inspections:detail": ("request", "view", "GET"),
    "inspections:slip": ("visit", "codes", "GET"),
    "verify:form": (None, "public", "GET"),
    "verify:code": ("code", "public", "GET"),
    "verify:rate": ("code", "enterprise_rate", "POST"),
}
_NEEDS = {
    "approve": "decide",
    "reject": "decide",
    "cancel": "manage",
    "merge": "decide",
    "record": "manage",
    "rate": "rate",
}
for _action in REQUEST_ACTIONS:
    ROUTES[f"inspections:{_action.slug}"] = ("request", _NEEDS[_action.slug], "POST")
for _action in VISIT_ACTIONS:
    ROUTES[f"inspections:{_action.slug}"] = ("visit", _NEEDS[_action.slug], "POST")

FILERS = {
    "admin",
    "bureau",
    "department",
    "service_center",
    "park",
    "secretary",
    "officer",
    "outsider",
    "bureau_b",
}
RECEIVERS = {"admin", "bureau", "supervisor", "secretary", "bureau_b"}
DECIDERS = {"admin", "supervisor"}
# "in" was filed by 建设局 (department, officer, outsider); "out" by the park committee.
FILING = {"in": {"department", "officer", "outsider"}, "out": {"park"}, "other": set()}


def _visible(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if who == "park":  # the park committee sees its own department's requests
        return target == "out"
    return target in ("in", "out")


def _expected(who: str | None, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if needs == "public":
        return 404 if target == "out" else 200  # "out" is filed: it has no code yet
    if needs == "enterprise_rate":
        if target == "out":
            return 404
        return 400 if who == "enterprise" and target == "in" else 403
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if target is None:
        return 200 if who in (FILERS if needs == "file" else RECEIVERS) else 403
    if not _visible(who, target):
        return 404
    if needs == "view":
        return 200
    own = _own_district(who, target)
    if needs == "codes":
        allowed = own and (who in DECIDERS or who in FILING[target])
        if allowed and target == "out":
            return 404  # a filed request has no code, so no slip
    elif needs == "decide":
        allowed = own and who in DECIDERS
    elif needs == "manage":
        allowed = own and (who == "admin" or who in FILING[target])
    else:  # rate
        allowed = own and who in RECEIVERS
    if not allowed:
        return 403
    # An empty form is refused and changes nothing; a page shows.
    return 400 if method == "POST" else 200


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        for target in [None] if kind is None else ["in", "out", "other"]:
            yield pytest.param(route, target, id=f"{route}-{target}")


def _url(targets, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    request = targets[target]
    visit = request.visits.order_by("id").first()
    if kind == "request":
        return reverse(route, args=[request.pk])
    if kind == "visit":
        return reverse(route, args=[request.pk, visit.pk])
    return reverse(route, args=[visit.code or "NOCODE"])


def _versions(targets, target):
    request = targets[target]
    request.refresh_from_db()
    return request.version, list(request.visits.order_by("id").values_list("version", flat=True))


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, targets, route, target):
    url = _url(targets, route, target)
    method = ROUTES[route][2]
    before = _versions(targets, target) if target else None

    def status(who):
        caches["limits"].clear()  # the verification throttle counts each person's failed look-ups
        client = client_for(who)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        if target:
            assert _versions(targets, target) == before, who  # nothing changed
        return response.status_code

    expected = {who: _expected(who, route, target) for who in PEOPLE}
    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", [r for r in ROUTES if ROUTES[r][2] == "GET"])
def test_anonymous_users(client, targets, route):
    kind = ROUTES[route][0]
    response = client.get(_url(targets, route, None if kind is None else "in"))
    if ROUTES[route][1] == "public":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_anonymous_users_cannot_rate(client, targets):
    response = client.post(_url(targets, "verify:rate", "in"), {"rating": "satisfied"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_every_route_of_the_app_is_in_the_matrix():
    from django.urls import get_resolver

    names = {
        f"{r.namespace}:{p.name}"
        for r in get_resolver().url_patterns
        if getattr(r, "namespace", None) in ("inspections", "verify")
        for p in r.url_patterns
        if p.name
    }
    assert names == set(ROUTES)
