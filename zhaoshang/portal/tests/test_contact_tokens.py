"""An enterprise contact's API tokens: made and revoked on ``/accounts/tokens/`` inside the
service hall's look, good for the portal API (``/api/v1/portal/…``), refused on the staff
API, and dead once the contact is removed."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from zhaoshang.enterprises.contacts import remove_contact


def _new_key(client) -> str:
    response = client.post(reverse("tokens:create"), {"name": "ERP"})
    assert response.status_code == 302
    html = client.get(reverse("tokens:list")).content.decode()
    return re.search(r'id="new-token">([0-9a-f]+)<', html).group(1)


def _api(key: str, url: str):
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_the_token_page_is_in_the_portal_look(client_for):
    html = client_for("enterprise").get(reverse("tokens:list")).content.decode()
    assert reverse("portal:contacts") in html  # the portal's menu, not the staff one
    assert 'class="zs-tabbar' in html
    assert reverse("projects:list") not in html
    assert 'data-testid="portal-api-hint"' in html


def test_a_contacts_token_reaches_the_portal_api_and_not_the_staff_api(client_for, world):
    key = _new_key(client_for("enterprise"))
    portal = _api(key, reverse("api:portal-project-list"))
    assert portal.status_code == 200
    body = portal.content.decode()
    assert world.project1_a.code in body and world.project2_a.code not in body
    assert _api(key, reverse("api:project-list")).status_code == 403
    assert _api(key, reverse("api:enterprise-list")).status_code == 403


def test_a_revoked_token_and_a_removed_contacts_token_stop_working(client_for, world):
    client = client_for("enterprise")
    first = _new_key(client)
    token = world.user_enterprise.api_tokens.get(name="ERP")
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    assert _api(first, reverse("api:portal-project-list")).status_code == 401
    second = _new_key(client)
    assert _api(second, reverse("api:portal-project-list")).status_code == 200
    remove_contact(world.user_bureau, world.enterprise1_a, world.user_enterprise)
    assert _api(second, reverse("api:portal-project-list")).status_code == 401
