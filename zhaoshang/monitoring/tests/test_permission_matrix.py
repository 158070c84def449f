"""Every person of the world × every route of monitoring × an in-scope, an out-of-scope
and an other-district project: the table of the generator (``zhaoshang/testing/matrix.py``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.testing.matrix import Matrix, visible_project, world_project

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "monitoring:board": (None, "staff", "GET"),
    "monitoring:export": (None, "staff", "GET"),
    "monitoring:print": (None, "staff", "GET"),
    "monitoring:project": ("project", "view", "GET"),
    "monitoring:map": (None, "staff", "GET"),
    "monitoring:map_data": (None, "staff", "GET"),
}


def expected(who: str, route: str, target: str | None) -> int:
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if target is None:
        return 200
    return 200 if visible_project(who, target) else 404


@pytest.fixture
def matrix_objects(world):
    return world


def url(world, route: str, target: str | None) -> str:
    if target is None:
        return reverse(route)
    return reverse(route, args=[world_project(world, target).pk])


globals().update(Matrix(ROUTES, expected, url, namespaces=["monitoring"]).tests())


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
