"""Every person of the world × the home's one-click 圈阅 × a receipt of project1_a, of
project2_a and of the other district (the home page itself is in the platform's table,
``core/tests/test_permission_matrix.py``): only the leader the receipt is addressed to
reads it; whoever sees it otherwise is refused (403), whoever does not gets 404.

The big screen (``screen``) and its JSON (``screen_data``): every government user (each
sees their own district, the city every district), never an enterprise contact (403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.dashboard.tests.records import make_receipt
from zhaoshang.testing.matrix import Matrix, visible_project, world_project

ROUTES: dict[str, tuple[str | None, str, str]] = {
    "home_acknowledge": ("receipt", "addressee", "POST"),
    "screen": (None, "staff", "GET"),
    "screen_data": (None, "staff", "GET"),
}


def expected(who: str, route: str, target: str | None) -> int:
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if ROUTES[route][1] == "staff":
        return 200
    if not visible_project(who, target):
        return 404
    return 302 if who == "leader" else 403


@pytest.fixture
def matrix_objects(world):
    receipts = {}
    for n, target in enumerate(("in", "out", "other"), start=1):
        addressee = world.user_leader_b if target == "other" else world.user_leader
        receipts[target] = make_receipt(world, addressee, n, project=world_project(world, target))
    world.receipts = receipts
    return world


def url(world, route: str, target: str | None) -> str:
    if target is None:
        return reverse(route)
    return reverse(route, args=[world.receipts[target].pk])


def check(world, route: str, target: str | None):
    from zhaoshang.service.models import Receipt

    if target is None:
        return None

    def after(who: str, status: int) -> None:
        read = Receipt.objects.get(pk=world.receipts[target].pk).read_at is not None
        assert read == (status == 302), (who, status)
        Receipt.objects.filter(pk=world.receipts[target].pk).update(read_at=None)

    return after


globals().update(Matrix(ROUTES, expected, url, namespaces=None, check=check).tests())
