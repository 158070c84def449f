"""Query-count guards of the contacts' pages: the portal's contacts page and the staff
enterprise page (its contacts and invitations) cost the same for 3 contacts and
invitations as for 12 — no query per row."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.enterprises.contacts import digest
from zhaoshang.enterprises.models import ContactInvitation

# (Measured when written: 8 queries for the contacts page, 17 for the enterprise page.)
CONTACTS_PAGE = "portal:contacts"


def grow(world, n: int, start: int) -> None:
    """n more contacts (one of them removed) and n more invitations of enterprise1_a, each
    invited by a different staff member."""
    enterprise = world.enterprise1_a
    inviters = [world.user_admin, world.user_bureau, world.user_secretary]
    now = clock.now()
    for i in range(start, start + n):
        get_user_model().objects.create(
            username=f"1380000{i:04d}",
            real_name=f"联系人{i}",
            phone=f"1380000{i:04d}",
            district_id=enterprise.district_id,
            enterprise=enterprise,
            is_active=i % 4 != 0,
        )
        ContactInvitation.objects.create(
            district_id=enterprise.district_id,
            enterprise=enterprise,
            name=f"受邀人{i}",
            mobile=f"1370000{i:04d}",
            token_digest=digest(f"t{i}"),
            invited_by=inviters[i % len(inviters)],
            expires_at=now + datetime.timedelta(days=7),
        )


def _count(client, url: str) -> int:
    client.get(url)  # caches warmed (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "route"),
    [("enterprise", "portal:contacts"), ("bureau", "enterprises:detail")],
)
def test_the_contacts_pages_cost_the_same_for_more_rows(client_for, world, who, route):
    client = client_for(who)
    url = (
        reverse(route, args=[world.enterprise1_a.pk]) if route != CONTACTS_PAGE else reverse(route)
    )
    grow(world, 3, 0)
    few = _count(client, url)
    grow(world, 9, 3)
    many = _count(client, url)
    assert many == few, f"{route}: {few} queries for 3 rows, {many} for 12"
    print(f"{route}: {few} queries")
