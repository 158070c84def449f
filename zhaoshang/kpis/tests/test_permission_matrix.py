"""Every person of the world × every route of the KPI app (pages and API) × an in-scope, an
out-of-scope and an other-district target.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules of SPEC §1 and
§12 (``kpis/permissions.py``): every government user reads the KPIs and the targets of what
they see; the bureau and admins of the district set its targets; city users read all.
Targets are district-wide: ``in`` (the district's own) and ``out`` (a working group's) are
both seen by every user of district a.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.kpis.tests import conftest as fixtures
from zhaoshang.testing.matrix import PEOPLE, Matrix, own_district
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "add" (who sets targets), "edit" (who sets this
# target's district's targets)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "kpis:index": (None, "staff", "GET"),
    "kpis:charts": (None, "staff", "GET"),
    "kpis:trends": (None, "staff", "GET"),
    "kpis:funds": (None, "staff", "GET"),
    "kpis:drill": (None, "staff", "GET"),
    "kpis:compare": (None, "staff", "GET"),
    "kpis:export": (None, "staff", "GET"),
    "kpis:targets": (None, "staff", "GET"),
    "kpis:target_create": (None, "add", "GET"),
    "kpis:target_edit": ("target", "edit", "GET"),
    "kpis:target_delete": ("target", "edit", "POST"),
}

EDITORS = {"admin", "bureau", "secretary", "bureau_b"}  # secretary holds the bureau role


def _visible_target(who: str, target: str) -> bool:
    if who == "city":
        return True
    return (who == "bureau_b") == (target == "other")


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if needs == "add":
        return 200 if who in EDITORS else 403
    if not _visible_target(who, target):
        return 404
    if not (own_district(who, target) and who in EDITORS):
        return 403
    return 302 if method == "POST" else 200


def _targets_and_snapshots(world):
    """The module's targets, and the KPI snapshots every person's chart pages read stored
    once (the city's trends page computes each district's month by month): each person's
    request is otherwise rolled back with the snapshots it stored, and the next computes
    them all again (a permission matrix: what it checks is who may open the page)."""
    from django.test import Client

    made = fixture_function(fixtures.targets)(world)
    client = Client()
    client.force_login(world.user_city)
    for route in ("kpis:trends", "kpis:index"):
        assert client.get(reverse(route)).status_code == 200
    return made


# The module's targets (the app conftest's, built once: ``built_once_per_module``); every
# test of the module takes them from there.
globals().update(built_once_per_module(_targets_and_snapshots))


@pytest.fixture
def targets(matrix_objects):
    return matrix_objects


def url(targets, route: str, target: str | None) -> str:
    if ROUTES[route][0] is None:
        return reverse(route)
    return reverse(route, args=[targets[target].pk])


def deleted_when_allowed(targets, route: str, target: str | None):
    """A target is gone exactly when its deletion is allowed (302)."""
    from zhaoshang.kpis.models import AnnualTarget

    def check(who, status):
        if target is not None and who != "anonymous":
            gone = not AnnualTarget.objects.filter(pk=targets[target].pk).exists()
            assert gone == (expected(who, route, target) == 302), who

    return check


globals().update(
    Matrix(ROUTES, expected, url, namespaces=["kpis"], check=deleted_when_allowed).tests()
)


API = "/api/v1/targets/"


@pytest.mark.parametrize("who", PEOPLE)
def test_api_kpis_follow_the_same_rules(client_for, who):
    response = client_for(who).get("/api/v1/kpis/", {"year": 2026})
    assert response.status_code == (403 if who == "enterprise" else 200)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", ["in", "out", "other"])
def test_api_targets_read_write_and_delete_follow_the_same_rules(client_for, targets, who, target):
    client = client_for(who)
    record = targets[target]
    response = client.get(f"{API}{record.pk}/")
    if who == "enterprise":
        assert response.status_code == 403
        return
    visible = _visible_target(who, target)
    assert response.status_code == (200 if visible else 404)
    listed = {row["id"] for row in client.get(API, {"page_size": 500}).json()["results"]}
    assert (record.pk in listed) == visible
    may_edit = own_district(who, target) and who in EDITORS
    response = client.patch(
        f"{API}{record.pk}/", {"note": "改", "version": 1}, content_type="application/json"
    )
    if who == "city":
        assert response.status_code == 403
    elif not visible:
        assert response.status_code == 404
    else:
        assert response.status_code == (200 if may_edit else 403), response.content
    response = client.delete(f"{API}{record.pk}/")
    if who == "city":
        assert response.status_code == 403
    elif not visible:
        assert response.status_code == 404
    else:
        assert response.status_code == (204 if may_edit else 403), response.content
