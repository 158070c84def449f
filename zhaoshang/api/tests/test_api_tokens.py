"""API tokens: digests only, expiry, several per user, revocation by the user, by a
district administrator, by a password change or a deactivation; the token pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from zhaoshang.api.models import ApiToken, RevokeReason, digest
from zhaoshang.api.services import issue_token, revoke_token
from zhaoshang.core.models import DomainEvent
from zhaoshang.testing import PASSWORD

PROJECTS = "/api/v1/projects/"


def call(key, url=PROJECTS):
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_only_the_digest_is_stored_and_the_key_works(world):
    token, key = issue_token(world.user_bureau, name="报表脚本")
    token.refresh_from_db()
    assert token.key_digest == digest(key) and key not in token.key_digest
    assert token.prefix == key[:8]
    assert call(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@override_settings(API_TOKEN_TTL_DAYS=30)
def test_a_token_expires_after_the_configured_days(world, _frozen_time):
    _token, key = issue_token(world.user_bureau)
    _frozen_time.shift(datetime.timedelta(days=29, hours=23))
    assert call(key).status_code == 200
    _frozen_time.shift(datetime.timedelta(hours=2))
    with override_settings(LANGUAGE_CODE="en"):
        response = Client(headers={"Accept-Language": "en"}).get(
            PROJECTS, HTTP_AUTHORIZATION=f"Token {key}"
        )
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_the_fixed_interface_issues_tokens_that_expire(world, settings, _frozen_time):
    settings.API_TOKEN_TTL_DAYS = 7
    key = (
        Client()
        .post(
            "/api/v1/auth/token/",
            {"username": "bureau", "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    token = ApiToken.objects.get(key_digest=digest(key))
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)
    _frozen_time.shift(datetime.timedelta(days=8))
    assert call(key).status_code == 401


def test_a_revoked_token_is_refused_and_the_revocation_is_an_event(world):
    token, key = issue_token(world.user_bureau)
    assert revoke_token(token, world.user_bureau, RevokeReason.USER) is True
    assert revoke_token(token, world.user_bureau, RevokeReason.USER) is False  # once
    assert call(key).status_code == 401
    events = DomainEvent.objects.for_object(token).filter(verb="api_token.revoked")
    assert events.count() == 1
    event = events.get()
    assert event.actor == world.user_bureau and event.district_id == world.district_a.pk
    assert event.data["reason"] == "user"


def test_issuing_past_the_cap_revokes_the_oldest(world, settings, _frozen_time):
    settings.API_TOKEN_MAX_PER_USER = 3
    issued = []
    for _i in range(4):
        issued.append(issue_token(world.user_bureau))
        _frozen_time.shift(datetime.timedelta(minutes=1))
    oldest, oldest_key = issued[0]
    oldest.refresh_from_db()
    assert oldest.revoke_reason == RevokeReason.REPLACED
    assert call(oldest_key).status_code == 401
    assert ApiToken.objects.live().filter(user=world.user_bureau).count() == 3


def test_changing_the_password_on_the_page_revokes_every_token(world, client_for):
    keys = [issue_token(world.user_bureau)[1] for _i in range(2)]
    other_key = issue_token(world.user_leader)[1]
    client = client_for("bureau")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xq7#mPz2kL", "new_password2": "Xq7#mPz2kL"},
    )
    assert response.status_code == 302
    assert [call(key).status_code for key in keys] == [401, 401]
    assert call(other_key).status_code == 200  # somebody else's stays
    revoked = ApiToken.objects.filter(user=world.user_bureau)
    assert set(revoked.values_list("revoke_reason", flat=True)) == {RevokeReason.PASSWORD}
    assert set(revoked.values_list("revoked_by", flat=True)) == {world.user_bureau.pk}


def test_set_password_in_a_script_revokes_tokens(world):
    _token, key = issue_token(world.user_bureau)
    user = world.user_bureau
    user.set_password("Xq7#mPz2kL")
    user.save()
    assert call(key).status_code == 401


def test_a_log_in_does_not_revoke_tokens(world):
    _token, key = issue_token(world.user_bureau)
    Client().post(reverse("login"), {"username": "bureau", "password": PASSWORD})
    assert call(key).status_code == 200


def test_deactivating_the_account_revokes_its_tokens(world):
    token, key = issue_token(world.user_bureau)
    user = world.user_bureau
    user.is_active = False
    user.save()
    token.refresh_from_db()
    assert token.revoke_reason == RevokeReason.DEACTIVATED
    user.is_active = True
    user.save()
    assert call(key).status_code == 401  # reactivation does not bring tokens back


def test_the_page_creates_a_token_and_shows_the_key_once(world, client_for):
    client = client_for("bureau")
    response = client.post(reverse("tokens:create"), {"name": "数据同步"})
    assert response.status_code == 302
    page = client.get(reverse("tokens:list")).content.decode()
    token = ApiToken.objects.get(user=world.user_bureau)
    assert token.name == "数据同步" and "数据同步" in page
    key = page.split('id="new-token">')[1].split("<")[0]
    assert token.key_digest == digest(key)
    assert call(key).status_code == 200
    assert key not in client.get(reverse("tokens:list")).content.decode()  # shown once


def test_a_too_long_name_is_refused_naming_the_field(world, client_for):
    client = client_for("bureau")
    response = client.post(reverse("tokens:create"), {"name": "x" * 101}, follow=True)
    assert not ApiToken.objects.filter(user=world.user_bureau).exists()
    assert "名称" in response.content.decode() or "Name" in response.content.decode()


def test_the_user_revokes_their_own_token_on_the_page(world, client_for):
    token, key = issue_token(world.user_bureau)
    client = client_for("bureau")
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    assert call(key).status_code == 401
    token.refresh_from_db()
    assert (token.revoke_reason, token.revoked_by) == (RevokeReason.USER, world.user_bureau)


def test_a_district_admin_sees_and_revokes_only_their_district(world, client_for):
    mine, key = issue_token(world.user_leader)
    theirs, their_key = issue_token(world.user_leader_b)
    client = client_for("admin")
    page = client.get(reverse("tokens:district")).content.decode()
    assert "leader" in page and "leader_b" not in page
    response = client.post(reverse("tokens:district_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert call(their_key).status_code == 200
    response = client.post(reverse("tokens:district_revoke", args=[mine.pk]))
    assert response.status_code == 302 and call(key).status_code == 401
    event = DomainEvent.objects.for_object(mine).get(verb="api_token.revoked")
    assert event.actor == world.user_admin and event.data["reason"] == "admin"


def test_a_superuser_manages_every_district(world):
    from zhaoshang.org.models import User

    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    theirs, _key = issue_token(world.user_leader_b)
    assert ApiToken.objects.visible_to(root).filter(pk=theirs.pk).exists()
    assert not ApiToken.objects.visible_to(world.user_admin).filter(pk=theirs.pk).exists()
    assert not ApiToken.objects.visible_to(world.user_bureau).exists()


@pytest.mark.parametrize("route", ["tokens:list", "tokens:district"])
def test_token_pages_cost_the_same_for_3_and_30_tokens(
    world, client_for, route, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("admin")
    counts = []
    for total in (3, 30):
        for _i in range(total - ApiToken.objects.filter(user=world.user_admin).count()):
            issue_token(world.user_admin)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(route)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(12):
        client.get(reverse(route))
