"""Every person of the world × every API-token page × a token of district a (``in``, the
bureau user's) and of district b (``other``, bureau_b's).

The table of the generator (``zhaoshang/testing/matrix.py``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.api.services import issue_token
from zhaoshang.testing.matrix import Matrix

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


def expected(who: str, route: str, target: str | None) -> int:
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


@pytest.fixture
def matrix_objects(tokens):
    return tokens


def url(tokens, route: str, target: str | None) -> str:
    return reverse(route, args=[tokens[target].pk]) if target else reverse(route)


def revoked_only_when_allowed(tokens, route: str, target: str | None):
    """A refused request (and an anonymous one) revokes nothing."""

    def check(who, status):
        if target and (who == "anonymous" or status != 302):
            tokens[target].refresh_from_db()
            assert tokens[target].revoked_at is None, who

    return check


globals().update(
    Matrix(
        ROUTES,
        expected,
        url,
        namespaces=["tokens"],
        targets=("in", "other"),
        check=revoked_only_when_allowed,
        anonymous_methods=("GET", "POST"),
    ).tests()
)
