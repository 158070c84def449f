"""Nothing a client sends gives a 500 (SPEC §19): bad input is a 400 keyed by field,
a bad address a 404."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import RESOURCES, url

HUGE = "9" * 30


def _project(world):
    return world.project1_a.pk


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/api/v1/projects/abc/", {}, 404),
        (f"/api/v1/projects/{HUGE}/", {}, 404),
        ("/api/v1/projects/-1/", {}, 404),
        ("/api/v1/projects/1.5/", {}, 404),
        ("/api/v1/projects/", {"page": "abc"}, 404),
        ("/api/v1/projects/", {"page": "0"}, 404),
        ("/api/v1/projects/", {"page": "99999"}, 404),
        ("/api/v1/projects/", {"page_size": "abc"}, 200),
        ("/api/v1/projects/", {"page_size": "-5"}, 200),
        ("/api/v1/projects/", {"page_size": HUGE}, 200),
        ("/api/v1/projects/", {"ordering": "no_such_field"}, 200),
        ("/api/v1/projects/", {"ordering": "-enterprise__credit_code"}, 200),
        ("/api/v1/projects/", {"q": "\x00"}, 400),
        ("/api/v1/projects/", {"q": "%_'\";--"}, 200),
        ("/api/v1/projects/", {"stage": "bogus"}, 400),
        ("/api/v1/projects/", {"level": "huge"}, 400),
        ("/api/v1/projects/", {"park": "abc"}, 400),
        ("/api/v1/projects/", {"park": HUGE}, 400),
        ("/api/v1/projects/", {"park": "-1"}, 400),
        ("/api/v1/projects/", {"enterprise": "1e5"}, 400),
        ("/api/v1/projects/", {"is_green_channel": "maybe"}, 200),
        ("/api/v1/parks/", {"zone": "abc"}, 400),
        ("/api/v1/enterprises/", {"origin": "mars"}, 400),
        ("/api/v1/departments/", {"kind": "x"}, 400),
        ("/api/v1/industries/", {"category": "x"}, 400),
    ],
)
def test_bad_query_is_never_500(world, api_for, path, params, expected):
    response = api_for("bureau").get(path, params)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        '"text"',
        "null",
        "1",
        "[" * 100_000,
        '{"a":' * 100_000,
        '{"name": "\\ud800"}',
        "\xff\xfe",
    ],
)
def test_malformed_body_is_400(world, client_for, resource, body):
    client = client_for("admin")
    response = client.post(url(resource), body, content_type="application/json")
    assert response.status_code == 400, response.content
    record = {
        "projects": world.project1_a,
        "enterprises": world.enterprise1_a,
        "departments": world.dept_works_a,
        "parks": world.park1_a,
        "industries": world.industry_a,
    }[resource]
    response = client.patch(url(resource, record.pk), body, content_type="application/json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": None},
        {"name": "x" * 500},
        {"name": ["list"]},
        {"name": "a\x00b"},
        {"park": None},
        {"park": "abc"},
        {"park": [1]},
        {"park": {"id": 1}},
        {"park": int(HUGE)},
        {"park": True},
        {"enterprise": -1},
        {"level": "huge"},
        {"kind": 3},
        {"total_investment": "abc"},
        {"total_investment": "-5"},
        {"total_investment": "1e400"},
        {"total_investment": "NaN"},
        {"total_investment": "Infinity"},
        {"total_investment": "1234567890123456"},
        {"land_area": "0.001"},
        {"committed_jobs": -3},
        {"committed_jobs": 10**30},
        {"committed_jobs": "many"},
        {"is_green_channel": "maybe"},
        {"planned_start_on": "2026-02-30"},
        {"planned_start_on": "yesterday"},
        {"planned_start_on": "2026-07-01", "planned_completion_on": "2026-06-01"},
        {"fixed_asset_investment": "60000"},  # more than the total investment
        {"paired_departments": "abc"},
        {"paired_departments": [None]},
        {"paired_departments": [HUGE]},
        {"version": "abc"},
        {"version": 0},
    ],
)
def test_bad_project_fields_are_400_keyed_by_field(world, api_for, changes):
    project = world.project1_a
    response = api_for("bureau").patch(url("projects", project.pk), changes)
    assert response.status_code == 400, response.content
    assert set(response.json()) <= set(changes) | {"non_field_errors"}
    assert all(isinstance(v, list) for v in response.json().values())
    project.refresh_from_db()
    assert project.version == world.project1_a.version


def test_partial_update_is_checked_against_the_stored_values(world, api_for):
    """A PATCH of only the completion date is compared with the stored start date."""
    project = world.project1_a
    api = api_for("bureau")
    assert (
        api.patch(url("projects", project.pk), {"planned_start_on": "2026-07-01"}).status_code
        == 200
    )
    response = api.patch(url("projects", project.pk), {"planned_completion_on": "2026-06-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["planned_completion_on"]


def test_missing_required_project_fields(world, api_for):
    response = api_for("bureau").post(url("projects"), {})
    assert response.status_code == 400
    assert {"name", "park", "total_investment"} <= set(response.json())


def test_broken_multipart_is_400(world, client_for):
    response = client_for("bureau").post(
        url("projects", world.project1_a.pk, "stage"),
        b'--xx\r\nContent-Disposition: form-data; name="to_stage"\r\n\r\nregistered',
        content_type="multipart/form-data; boundary=xx",
    )
    assert response.status_code == 400


def test_deeply_nested_json_to_the_token_endpoint_is_400(world, client):
    response = client.post("/api/v1/auth/token/", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400


def test_deeply_nested_json_to_the_stage_action_is_400(world, client_for):
    response = client_for("bureau").post(
        url("projects", world.project1_a.pk, "stage"),
        "[" * 100_000,
        content_type="application/json",
    )
    assert response.status_code == 400


def test_unsupported_media_type_is_415(world, client_for):
    response = client_for("bureau").post(url("projects"), "<x/>", content_type="application/xml")
    assert response.status_code == 415


def test_unsupported_method_is_405(world, api_for):
    response = api_for("bureau").post(url("projects", world.project1_a.pk), {})
    assert response.status_code == 405
