"""Every role × every resource: a list shows exactly the rows in scope, a detail outside
the scope is a 404, and enterprise users have no staff API (SPEC §1)."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import RESOURCES, USERS, expected_visible, records, url


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_list_shows_exactly_the_scope(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    expected = expected_visible(world, user, resource)

    response = api_for(username).get(url(resource), {"page_size": 500})

    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_detail_outside_scope_is_404(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    expected = expected_visible(world, user, resource)
    api = api_for(username)

    for row in records(world, resource):
        response = api.get(url(resource, row.pk))
        if expected is None:
            assert response.status_code == 403
        elif row.pk in expected:
            assert response.status_code == 200, (row, response.content)
            assert response.json()["id"] == row.pk
        else:
            assert response.status_code == 404, row


def test_the_world_covers_both_districts_and_a_park_scope(world):
    """Guard for the matrix above: it would pass vacuously on an empty world."""
    for resource in RESOURCES:
        rows = records(world, resource)
        assert {row.district_id for row in rows} == {world.district_a.pk, world.district_b.pk}
    assert expected_visible(world, world.user_park, "projects") == {world.project1_a.pk}
    assert len(expected_visible(world, world.user_city, "projects")) == 4


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_gets_401(client, resource):
    response = client.get(url(resource))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
