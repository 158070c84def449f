"""Every person of the world × every route of the inspections app (and the public
verification routes) × an in-scope, an out-of-scope and an other-district request.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules of SPEC §1 and
§9 written over the world (targets: see ``conftest.targets``).
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

from zhaoshang.inspections.tests import conftest as fixtures
from zhaoshang.testing.matrix import Matrix, own_district
from zhaoshang.testing.shared import built_once_per_module, fixture_function

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
# The actions on a request and on a visit (``inspections/actions.py``).
ROUTES.update(
    {
        "inspections:approve": ("request", "decide", "POST"),
        "inspections:reject": ("request", "decide", "POST"),
        "inspections:cancel": ("request", "manage", "POST"),
        "inspections:merge": ("visit", "decide", "POST"),
        "inspections:record": ("visit", "manage", "POST"),
        "inspections:rate": ("visit", "rate", "POST"),
    }
)

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


def expected(who: str | None, route: str, target: str | None) -> int:
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
    own = own_district(who, target)
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


# The module's targets (the app conftest's, built once: ``built_once_per_module``); every
# test of the module takes them from there.
globals().update(built_once_per_module(fixture_function(fixtures.targets)))


@pytest.fixture
def targets(matrix_objects):
    return matrix_objects


def unchanged(targets, route: str, target: str | None):
    """A refused or an empty request changes neither the request nor its visits; the
    verification throttle, which counts each person's failed look-ups, starts afresh."""
    before = _versions(targets, target) if target else None
    caches["limits"].clear()

    def check(who, status):
        caches["limits"].clear()  # for the next person
        if target:
            assert _versions(targets, target) == before, who

    return check


globals().update(
    Matrix(
        ROUTES,
        expected,
        _url,
        namespaces=["inspections", "verify"],
        check=unchanged,
        public=[r for r, spec in ROUTES.items() if spec[1] == "public"],
    ).tests()
)


def test_anonymous_users_cannot_rate(client, targets):
    response = client.post(_url(targets, "verify:rate", "in"), {"rating": "satisfied"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
