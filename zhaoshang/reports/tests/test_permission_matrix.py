"""Every person of the world × every route of the reports × an in-scope, an out-of-scope
and an other-district target (an issued report or a job: ``in`` a monthly summary of
district a, ``out`` a quarterly bulletin of district a — outside a park committee's reach —
and ``other`` a monthly summary of district b).

The table of the generator (``zhaoshang/testing/matrix.py``). Rules: ``reports/querysets.py`` (who reads) and
``reports/permissions.py`` (who issues)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.reports.models import IssuedReport
from zhaoshang.reports.tests.factories import add_issued, add_job
from zhaoshang.testing.matrix import PEOPLE, Matrix
from zhaoshang.testing.shared import built_once_per_module

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "reports:hub": (None, "read", "GET"),
    "reports:report": (None, "read", "GET"),
    "reports:export": (None, "read", "GET"),
    "reports:generate": (None, "generate", "POST"),
    "reports:issue": (None, "issue", "POST"),
    "reports:issued": ("issued", "view", "GET"),
    "reports:download": ("issued", "view", "GET"),
    "reports:job": ("job", "view", "GET"),
    # The departments ranked (rankings.py): the assessment's readers, every government user.
    "reports:rankings": (None, "rankings", "GET"),
}
KINDS = ("monthly", "quarterly")

READERS_A = {"admin", "bureau", "leader", "supervisor", "city", "manager", "secretary"}
READERS = READERS_A | {"park", "bureau_b"}
ISSUERS = {
    "monthly": {"admin", "bureau", "secretary", "bureau_b"},
    "quarterly": {"admin", "supervisor"},
}


def _reads(who: str, kind: str) -> bool:
    if who == "park":
        return kind == "monthly"
    return who in READERS


def _visible(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who == "bureau_b":
        return target == "other"
    if who == "park":
        return target == "in"
    return who in READERS_A and target in ("in", "out")


def expected(who: str, route: str, target: str | None) -> int:
    """``target``: in, out or other for a route with an object; the kind of report
    (monthly, quarterly) for the others but the hub."""
    obj_kind, needs, _method = ROUTES[route]
    kind = target if obj_kind is None else None
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if obj_kind is not None:
        return 200 if _visible(who, target) else 404
    if route == "reports:hub":
        return 200 if who in READERS else 403
    if route == "reports:rankings":
        return 200  # each sees the departments the assessment shows them
    if not _reads(who, kind):
        return 403
    if needs == "issue":
        return 400 if who in ISSUERS[kind] else 403  # an empty period is refused, named
    if needs == "generate":
        return 403 if who == "city" else 302  # a city user has no district to run jobs in
    return 200


def targets_for(route: str) -> list:
    if ROUTES[route][0] is not None:
        return ["in", "out", "other"]
    return [None] if route in ("reports:hub", "reports:rankings") else list(KINDS)


def build(world):
    """Built once for the module (``built_once_per_module``)."""
    return {
        "issued": {
            "in": add_issued(world),
            "out": add_issued(world, "quarterly", "2026-Q1"),
            "other": add_issued(world, tag="b"),
        },
        "job": {
            "in": add_job(world),
            "out": add_job(world, "quarterly"),
            "other": add_job(world, tag="b"),
        },
    }


globals().update(built_once_per_module(build))


@pytest.fixture
def targets(matrix_objects):
    return matrix_objects


def url(targets, route, target) -> str:
    obj_kind = ROUTES[route][0]
    if obj_kind is not None:
        args = [targets[obj_kind][target].pk]
        if route == "reports:download":
            args.append("xlsx")
        return reverse(route, args=args)
    if route in ("reports:hub", "reports:rankings"):
        return reverse(route)
    if route == "reports:export":
        return reverse(route, args=[target, "xlsx"])
    return reverse(route, args=[target])


def nothing_issued(targets, route, target):
    """A refused or an empty request issues no report."""
    before = IssuedReport.objects.count()

    def check(who, status):
        assert IssuedReport.objects.count() == before, who

    return check


globals().update(
    Matrix(
        ROUTES,
        expected,
        url,
        namespaces=["reports"],
        targets_for=targets_for,
        check=nothing_issued,
    ).tests()
)


API = "/api/v1/reports/"


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", ["in", "out", "other"])
def test_api_follows_the_same_rules(client_for, targets, who, target):
    client = client_for(who)
    report = targets["issued"][target]
    response = client.get(f"{API}{report.pk}/")
    if who == "enterprise":
        assert response.status_code == 403
        return
    visible = _visible(who, target)
    assert response.status_code == (200 if visible else 404)
    listed = {row["id"] for row in client.get(API, {"page_size": 500}).json()["results"]}
    assert (report.pk in listed) == visible
    file_response = client.get(f"{API}{report.pk}/files/xlsx/")
    assert file_response.status_code == (200 if visible else 404)
    if visible:
        assert "figures" in response.json()
        assert response.json()["files"]["pdf"].endswith(f"/api/v1/reports/{report.pk}/files/pdf/")
    # Read-only: nobody writes through the API.
    assert client.post(API, {}, content_type="application/json").status_code in (403, 405)
