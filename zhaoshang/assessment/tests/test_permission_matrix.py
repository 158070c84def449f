"""Every person of the world × every route of the assessment × an in-scope, an out-of-scope
and an other-district target.

The table of the generator (``zhaoshang/testing/matrix.py``). The rules
(``assessment/permissions.py``): the supervision office, leaders and admins read every
department's ledger of their district, city users every district; any other government user
reads their own department's; the supervision office and admins keep the ledger; a
department's handlers object to its entries.

Targets: ``in`` is the ledger of 建设局 of district a (the department of "department",
"officer" and "outsider"), ``out`` that of 国土局 of district a, ``other`` 建设局 of
district b.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.assessment.models import LedgerEntry, Objection
from zhaoshang.assessment.tests import conftest as fixtures
from zhaoshang.testing.matrix import PEOPLE, Matrix
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "read" (may read a ledger at all), "all" (reads every department), "keep" (keeps
# the ledger), "view" (sees the object), "object" (handler of the entry's department),
# "answer" (keeps the ledger of the objection's district)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "assessment:rankings": (None, "read", "GET"),
    "assessment:export": (None, "read", "GET"),
    "assessment:ledger": ("department", "view", "GET"),
    "assessment:entry_create": (None, "keep", "GET"),
    "assessment:entry_file": ("entry", "view", "GET"),
    "assessment:entry_object": ("entry", "object", "POST"),
    "assessment:objections": (None, "all", "GET"),
    "assessment:objection_answer": ("objection", "answer", "POST"),
    "assessment:objection_file": ("objection", "view", "GET"),
    "assessment:year": ("year", "keep", "GET"),
    "assessment:year_department_base": ("year", "keep", "POST"),
    "assessment:year_finish": ("year", "keep", "POST"),
}

ALL_DEPARTMENTS_A = {"admin", "leader", "supervisor", "manager"}
KEEPERS = {"admin", "supervisor"}
WORKS_A = {"department", "officer", "outsider"}


def _visible(who: str, target: str) -> bool:
    if who == "city":
        return True
    if who in ALL_DEPARTMENTS_A:
        return target in ("in", "out")
    if who in WORKS_A:
        return target == "in"
    return False  # their own department has no ledger target here


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "read":
        return 200  # everybody of the world has a department or reads them all
    if needs == "all":
        return 200 if who in ALL_DEPARTMENTS_A | {"city"} else 403
    if needs == "keep":
        if who not in KEEPERS:
            return 403
        return 400 if method == "POST" else 200  # an empty form changes nothing
    if not _visible(who, target):
        return 404
    if needs == "view":
        return 200
    if needs == "object":
        allowed = who in WORKS_A and target == "in"
    else:  # answer
        allowed = who in KEEPERS and target in ("in", "out")
    if not allowed:
        return 403
    return 400  # an empty form changes nothing


def targets_for(route: str) -> list:
    return [None] if ROUTES[route][0] in (None, "year") else ["in", "out", "other"]


def build(world):
    """The app conftest's entries, departments and objections, built once for the module
    (``built_once_per_module``); every test of the module takes them from there."""
    return {
        "entry": fixture_function(fixtures.entries)(world),
        "department": fixture_function(fixtures.departments)(world),
        "objection": fixture_function(fixtures.objections)(world),
    }


globals().update(built_once_per_module(build))


@pytest.fixture
def entries(matrix_objects):
    return matrix_objects["entry"]


def url(objects, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if kind == "year":
        return reverse(route, args=[2025])
    return reverse(route, args=[objects[kind][target].pk])


def unchanged(objects, route: str, target: str | None):
    """A refused or an empty request adds no entry and answers no objection."""
    entries = LedgerEntry.objects.count()
    objections = list(Objection.objects.values_list("pk", "status"))

    def check(who, status):
        assert LedgerEntry.objects.count() == entries, who
        assert list(Objection.objects.values_list("pk", "status")) == objections, who

    return check


globals().update(
    Matrix(
        ROUTES, expected, url, namespaces=["assessment"], targets_for=targets_for, check=unchanged
    ).tests()
)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", ["in", "out", "other"])
def test_api_entries_follow_the_same_rules(client_for, entries, who, target):
    client = client_for(who)
    entry = entries[target]
    response = client.get(f"/api/v1/assessment-entries/{entry.pk}/")
    if who == "enterprise":
        assert response.status_code == 403
        return
    visible = _visible(who, target)
    assert response.status_code == (200 if visible else 404)
    listed = {
        row["id"]
        for row in client.get("/api/v1/assessment-entries/", {"page_size": 500}).json()["results"]
    }
    assert (entry.pk in listed) == visible
    # Read-only: no write through the API for anyone.
    response = client.patch(
        f"/api/v1/assessment-entries/{entry.pk}/", {"points": "5"}, content_type="application/json"
    )
    assert response.status_code in (403, 404, 405)
    entry.refresh_from_db()
    assert entry.points == -1


@pytest.mark.parametrize("who", PEOPLE)
def test_api_standings_follow_the_same_rules(client_for, entries, world, who):
    response = client_for(who).get("/api/v1/assessment-standings/", {"year": 2026})
    if who == "enterprise":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    departments = {row["department"] for row in response.json()["results"]}
    if who in ALL_DEPARTMENTS_A:
        assert {world.dept_works_a.pk, world.dept_land_a.pk} <= departments
        assert world.dept_works_b.pk not in departments
    elif who == "city":  # the first district unless they choose
        assert world.dept_works_a.pk in departments
    elif who in WORKS_A:
        assert departments == {world.dept_works_a.pk}
    elif who == "bureau_b":
        assert departments == {world.dept_bureau_b.pk}
    else:
        assert len(departments) == 1 and world.dept_works_a.pk not in departments
