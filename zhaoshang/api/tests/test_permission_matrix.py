"""Every person of the world × every API-token page × a token of district a (``in``, the
bureau user's) and of district b (``other``, bureau_b's).

The core matrix (``core/tests/test_permission_matrix.py``) reads ``ROUTES`` below, so a new
route of the token pages without an entry fails there.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.api.services import issue_token
from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "any" (every signed-in user, enterprise users too), "owner" (the token's own user),
# "district_admin" (an administrator of the token user's district)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "tokens:list": (None, "any", "GET"),
    "tokens:create": (None, "any", "POST"),
    "tokens:revoke": ("token", "owner", "POST"),
    "tokens:district": (None, "district_admin", "GET"),
    "tokens:district_revoke": ("token", "district_admin", "POST"),
}
OWNERS = {"in": "bureau", "other": "bureau_b"}


@pytest.fixture
def tokens(world):
    return {target: issue_token(getattr(world, f"user_{who}"))[0] for target, who in OWNERS.items()}


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        for target in ("in", "other") if kind else (None,):
            yield route, target


def _expected(who: str, route: str, target: str | None) -> int:
    _kind, needs, method = ROUTES[route]
    if needs == "any":
        return 302 if method == "POST" else 200
    if needs == "owner":
        return 302 if OWNERS[target] == who else 404
    # district_admin: only the admin role of a district; a token of another district is 404
    if who != "admin":
        return 403
    if target is None:
        return 200
    return 302 if target == "in" else 404


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, tokens, route, target):
    url = reverse(route, args=[tokens[target].pk]) if target else reverse(route)
    method = ROUTES[route][2]

    def status(who):
        client = client_for(who)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        if target and response.status_code != 302:
            tokens[target].refresh_from_db()
            assert tokens[target].revoked_at is None, who  # refused: nothing revoked
        return response.status_code

    expected = {who: _expected(who, route, target) for who in PEOPLE}
    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", list(ROUTES))
def test_anonymous_users_are_sent_to_login(client, tokens, route):
    kind, _needs, method = ROUTES[route]
    url = reverse(route, args=[tokens["in"].pk]) if kind else reverse(route)
    response = client.post(url) if method == "POST" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    tokens["in"].refresh_from_db()
    assert tokens["in"].revoked_at is None
