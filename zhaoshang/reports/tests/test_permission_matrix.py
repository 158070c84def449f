"""Every person of the world × every route of the reports × an in-scope, an out-of-scope
and an other-district target (an issued report or a job: ``in`` a monthly summary of
district a, ``out`` a quarterly bulletin of district a — outside a park committee's reach —
and ``other`` a monthly summary of district b).

The core matrix reads ``ROUTES`` below. Rules: ``reports/querysets.py`` (who reads) and
``reports/permissions.py`` (who issues)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE
from zhaoshang.reports.models import IssuedReport
from zhaoshang.reports.tests.factories import add_issued, add_job

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


def _expected(who: str, route: str, target: str | None, kind: str | None) -> int:
    obj_kind, needs, _method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if obj_kind is not None:
        return 200 if _visible(who, target) else 404
    if route == "reports:hub":
        return 200 if who in READERS else 403
    if not _reads(who, kind):
        return 403
    if needs == "issue":
        return 400 if who in ISSUERS[kind] else 403  # an empty period is refused, named
    if needs == "generate":
        return 403 if who == "city" else 302  # a city user has no district to run jobs in
    return 200


def _cases():
    for route, (obj_kind, _needs, _method) in ROUTES.items():
        if obj_kind is not None:
            for target in ("in", "out", "other"):
                yield pytest.param(route, target, None, id=f"{route}-{target}")
        elif route == "reports:hub":
            yield pytest.param(route, None, None, id=f"{route}")
        else:
            for kind in KINDS:
                yield pytest.param(route, None, kind, id=f"{route}-{kind}")


@pytest.fixture
def targets(world):
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


def _url(targets, route, target, kind) -> str:
    obj_kind = ROUTES[route][0]
    if obj_kind is not None:
        args = [targets[obj_kind][target].pk]
        if route == "reports:download":
            args.append("xlsx")
        return reverse(route, args=args)
    if route == "reports:hub":
        return reverse(route)
    if route == "reports:export":
        return reverse(route, args=[kind, "xlsx"])
    return reverse(route, args=[kind])


@pytest.mark.parametrize(("route", "target", "kind"), list(_cases()))
def test_permission_matrix(client_for, targets, route, target, kind):
    url = _url(targets, route, target, kind)
    method = ROUTES[route][2]
    before = IssuedReport.objects.count()

    def status(who):
        client = client_for(who)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        assert IssuedReport.objects.count() == before, who
        return response.status_code

    expected = {who: _expected(who, route, target, kind) for who in PEOPLE}
    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", [r for r in ROUTES if ROUTES[r][2] == "GET"])
def test_anonymous_users_are_sent_to_login(client, targets, route):
    obj_kind = ROUTES[route][0]
    url = _url(targets, route, None if obj_kind is None else "in", "monthly")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_route_of_the_app_is_in_the_matrix():
    from zhaoshang.core.testing import route_names

    assert route_names("reports") == set(ROUTES)


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
