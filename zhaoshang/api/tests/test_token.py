"""``POST /api/v1/auth/token/`` (SPEC §19)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhaoshang.api.models import ApiToken, digest
from zhaoshang.testing import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def post(data, client=None, **kwargs):
    return (client or Client()).post(TOKEN_URL, data, content_type="application/json", **kwargs)


def test_good_credentials_give_a_token_that_works(world):
    response = post({"username": "bureau", "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    stored = ApiToken.objects.get(key_digest=digest(token))
    assert stored.user == world.user_bureau
    assert token not in {stored.key_digest, stored.name}  # only a digest is stored
    listed = Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    # Asking again gives another token; the first keeps working.
    again = post({"username": "bureau", "password": PASSWORD}).json()["token"]
    assert again != token
    for key in (token, again):
        response = Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200


def test_changes_made_with_a_token_are_recorded_for_its_user(world):
    from zhaoshang.projects.models import Project

    token = post({"username": "bureau", "password": PASSWORD}).json()["token"]
    project = world.project1_a
    response = Client().patch(
        f"/api/v1/projects/{project.pk}/",
        {"name": "令牌改名"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200
    latest = Project.history.filter(id=project.pk).order_by("-history_id").first()
    assert (latest.name, latest.history_user) == ("令牌改名", world.user_bureau)


def test_form_encoded_request_works_too(world):
    response = Client().post(TOKEN_URL, {"username": "bureau", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"username": "bureau", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_bad_credentials_are_400_without_saying_which(world, data):
    response = post(data)
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert response.json()["non_field_errors"][0]
    assert "token" not in response.json()


def test_inactive_user_gets_no_token(world):
    from zhaoshang.org.models import User

    User.objects.filter(pk=world.user_bureau.pk).update(is_active=False)
    response = post({"username": "bureau", "password": PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"username", "password"}),
        ({"username": "bureau"}, {"password"}),
        ({"password": PASSWORD}, {"username"}),
        ({"username": "", "password": ""}, {"username", "password"}),
        ({"username": ["bureau"], "password": {"x": 1}}, {"username", "password"}),
    ],
)
def test_missing_fields_are_400_keyed_by_field(world, data, fields):
    response = post(data)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(isinstance(v, list) and v for v in response.json().values())


def test_malformed_json_is_400(world):
    response = Client().post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_token_endpoint_is_throttled(world, settings):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    client = Client()
    statuses = [post({}, client).status_code for _ in range(rate)]
    assert set(statuses) == {400}
    response = post({}, client)
    assert response.status_code == 429
    assert "detail" in response.json()


def test_repeated_failures_lock_the_account(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post({"username": "leader", "password": "wrong"}).status_code == 400
    response = post({"username": "leader", "password": "wrong"})
    assert response.status_code == 429
    # Locked even with the right password.
    assert post({"username": "leader", "password": PASSWORD}).status_code == 429


def test_invalid_token_is_401(world):
    response = Client().get("/api/v1/projects/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


def test_enterprise_user_gets_a_token_but_no_staff_api(world):
    token = post({"username": "enterprise", "password": PASSWORD}).json()["token"]
    response = Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 403
