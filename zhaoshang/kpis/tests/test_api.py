"""``/api/v1/kpis/`` (SPEC §19: the exact shape, rates as numbers 0–1) and the ``targets``
resource; bad input is a 400 keyed by the field, never a 500."""

from __future__ import annotations

import pytest

from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.kpis.tests.factories import D, make_project, make_target
from zhaoshang.kpis.tests.test_compute import hand  # noqa: F401 (fixture)

URL = "/api/v1/kpis/"
KEYS = {
    "signed_count",
    "signed_investment",
    "registered_rate",
    "start_rate",
    "production_rate",
    "capacity_rate",
    "performance_rate",
    "funds_in_place_rate",
    "on_time_rate",
}


def test_the_exact_shape_and_numbers(client_for, hand):  # noqa: F811
    response = client_for("bureau").get(URL, {"year": 2025})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == KEYS
    assert data == {
        "signed_count": 3,
        "signed_investment": 3500.0,
        "registered_rate": 0.6667,
        "start_rate": 0.6667,
        "production_rate": 0.3333,
        "capacity_rate": 1.0,
        "performance_rate": 0.3333,
        "funds_in_place_rate": 0.2667,
        "on_time_rate": 0.6667,
    }


def test_filters_and_zero_denominators(client_for, world, hand):  # noqa: F811
    client = client_for("bureau")
    data = client.get(URL, {"year": 2025, "park": world.park2_a.pk}).json()
    assert data["signed_count"] == 1 and data["funds_in_place_rate"] == 0.2
    data = client.get(URL, {"year": 2025, "level": "major", "industry": world.industry_a.pk}).json()
    assert data["signed_count"] == 1
    data = client.get(URL, {"year": 2025, "working_group": world.group_a.pk}).json()
    assert data["performance_rate"] == 1.0
    data = client.get(URL, {"year": 2019}).json()
    assert data["signed_count"] == 0 and data["start_rate"] is None


def test_the_default_year_is_this_year(client_for, world):
    data = client_for("bureau").get(URL).json()
    assert data["signed_count"] == 1  # project1_a, signed 2026-03-02


def test_scoped_to_the_callers_district_and_the_city_for_city_users(client_for, world):
    make_project(world, "b", signed_on=D(2026, 2, 1))
    assert client_for("bureau").get(URL).json()["signed_count"] == 1
    assert client_for("bureau_b").get(URL).json()["signed_count"] == 2
    city = client_for("city")
    assert city.get(URL).json()["signed_count"] == 3
    assert city.get(URL, {"district": world.district_b.pk}).json()["signed_count"] == 2
    # A park committee counts its park only.
    assert client_for("park").get(URL).json()["signed_count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "20260"}, "year"),
        ({"year": "1e3"}, "year"),
        ({"park": "abc"}, "park"),
        ({"park": "-1"}, "park"),
        ({"park": "99999999999999999999"}, "park"),
        ({"industry": "x"}, "industry"),
        ({"working_group": "0"}, "working_group"),
        ({"level": "huge"}, "level"),
        ({"year": 2025, "since": 2026}, "since"),
        ({"since": "x"}, "since"),
    ],
)
def test_bad_input_is_400_keyed_by_field(client_for, params, field):
    response = client_for("bureau").get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_park_of_another_district_is_400_like_one_that_does_not_exist(client_for, world):
    response = client_for("bureau").get(URL, {"park": world.park1_b.pk})
    assert response.status_code == 400
    assert "park" in response.json()
    # A district user cannot widen the scope with district=.
    data = client_for("bureau").get(URL, {"district": world.district_b.pk}).json()
    assert data["signed_count"] == 1


TARGETS = "/api/v1/targets/"


def _body(**changes):
    data = {"year": 2026, "signed_investment": "2000000", "funds_in_place": "800000"}
    data.update(changes)
    return data


def test_targets_are_created_with_the_369_defaults_and_show_progress(client_for, world):
    client = client_for("bureau")
    response = client.post(TARGETS, _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["scope"] == "district"
    assert (data["tier1_count"], data["tier2_count"], data["tier3_count"]) == (3, 6, 9)
    assert data["signed_count"] == 1 and data["signed_investment_done"] == "50000.00"
    listed = client.get(TARGETS, {"year": 2026}).json()
    assert listed["count"] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"funds_in_place": "-1"}, "funds_in_place"),
        ({"tier2_min": "5000000"}, "tier2_min"),
        ({"year": 1800}, "year"),
        ({"department": 99999999}, "department"),
    ],
)
def test_bad_targets_are_400_keyed_by_field(client_for, world, changes, field):
    response = client_for("bureau").post(TARGETS, _body(**changes), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_duplicate_or_another_districts_group_is_refused(client_for, world):
    make_target(world)
    client = client_for("bureau")
    response = client.post(TARGETS, _body(), content_type="application/json")
    assert response.status_code == 400 and "year" in response.json()
    response = client.post(
        TARGETS, _body(working_group=world.group_b.pk), content_type="application/json"
    )
    assert response.status_code == 400 and "working_group" in response.json()
    assert AnnualTarget.objects.count() == 1


def test_a_stale_version_is_409(client_for, world):
    target = make_target(world)
    response = client_for("bureau").patch(
        f"{TARGETS}{target.pk}/", {"note": "x", "version": 7}, content_type="application/json"
    )
    assert response.status_code == 409


def test_the_schema_has_the_kpis_and_targets(client_for):
    response = client_for("bureau").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/kpis/" in paths and "/api/v1/targets/{id}/" in paths


def test_since_gives_the_cohort_of_several_years(client_for, hand):  # noqa: F811
    """District a's 2024–2026: P1–P5 and the world's project1_a (signed 2026); P1 and P3
    in production by today, P1 at capacity."""
    data = client_for("bureau").get(URL, {"year": 2026, "since": 2024}).json()
    assert (data["signed_count"], data["production_rate"], data["capacity_rate"]) == (
        6,
        0.3333,
        0.5,
    )
