"""Query-count invariance of the service hall's inspections: the list (all, upcoming,
past), the API list, a visit's page and the check of a joint inspection's code cost as
many queries with 3 departments' visits as with 23."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhaoshang.inspections import services
from zhaoshang.inspections.tests.factories import make_request, no_cap
from zhaoshang.org.models import Department
from zhaoshang.testing.clients import counted_apart, counted_get
from zhaoshang.testing.shared import built_once_per_module
from zhaoshang.testing.world import FROZEN_NOW

TODAY = FROZEN_NOW.date()
JOINT_ON = datetime.date(2026, 6, 26)


@pytest.fixture(autouse=True)
def _no_cap(world):
    no_cap(world)


def grow(world, n: int, start: int):
    """``n`` departments each approved to inspect enterprise1_a (one visit carried out,
    one withdrawn), the others merged into one joint inspection; returns a visit of it."""
    visits = []
    for i in range(n):
        department = Department.objects.create(
            district=world.district_a, name=f"检查部门{start + i}"
        )
        # The first is today's (on a quiet day: with a reason), to be carried out.
        when = {"planned_on": TODAY, "quiet_day_reason": "专项整治"} if i == 0 else {}
        request = make_request(
            world,
            by=world.user_admin,
            department=department,
            kind=["inspection", "rating"][i % 2],
            approve=True,
            **when,
        )
        visits.append(request.visits.get())
    done, withdrawn, *joint = visits
    services.record_visit(world.user_admin, done, carried_out_on=TODAY, findings="无问题")
    services.cancel_request(world.user_admin, withdrawn.request, reason="改期")
    services.merge_visits(
        world.user_supervisor,
        joint[0],
        others=joint[1:],
        visit_on=JOINT_ON,
        lead_department=joint[0].request.department,
    )
    return joint[0]


PAGES = [
    ("list", lambda v: reverse("portal:inspections"), {}),
    ("upcoming", lambda v: reverse("portal:inspections"), {"when": "upcoming"}),
    ("past", lambda v: reverse("portal:inspections"), {"when": "past"}),
    ("api", lambda v: "/api/v1/portal/inspections/", {"page_size": 500}),
    ("detail", lambda v: reverse("portal:inspection", args=[v.pk]), {}),
    ("api-detail", lambda v: f"/api/v1/portal/inspections/{v.pk}/", {}),
    ("check", lambda v: reverse("portal:inspection_check"), "code"),
    ("api-check", lambda v: "/api/v1/portal/inspections/check/", "code"),
]


def _query(params, visit):
    return {"code": visit.code} if params == "code" else params


def counts_on_4_departments(world) -> dict:
    """4 departments' visits, every page's count (each request in a savepoint of its own,
    rolled back), then 24 more (the page shows 25 rows; their joint has 22 visits): made
    once for the module, each test counts again, on the visit of the 24, in its own
    savepoint and compares. (Grown in every test, the 28 departments' requests were most of
    the module's CPU.)"""
    no_cap(world)
    small_visit = grow(world, 4, 0)
    small = {}
    for name, url, params in PAGES:
        small[name] = counted_apart("enterprise", url(small_visit), _query(params, small_visit))
    return {"small": small, "visit": grow(world, 24, 100)}


globals().update(built_once_per_module(counts_on_4_departments))


@pytest.mark.parametrize(("name", "url", "params"), PAGES, ids=[p[0] for p in PAGES])
def test_the_query_count_does_not_grow(matrix_objects, client_for, world, name, url, params):
    status, small = matrix_objects["small"][name]
    assert status == 200, name
    visit = matrix_objects["visit"]
    status, large = counted_get(client_for("enterprise"), url(visit), _query(params, visit))
    assert status == 200, name
    assert large == small, f"{name}: {small} queries for 4 departments, {large} for 24"
