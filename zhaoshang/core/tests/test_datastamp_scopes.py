"""``core.datastamp``'s stamp per district: a write made in the request of a person confined
to one district gives a new stamp to that district's pages and to those of the people who
see several districts, and leaves the other districts' kept pages kept; a write named for
no district (outside a request, by the city, by an enterprise) and a row of another district
saved in a district's request give every page a new stamp."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from zhaoshang.core import datastamp
from zhaoshang.core.tests.test_pagecache import KEPT_QUERIES, _get, _primed
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def _kept(client, url) -> bool:
    return _get(client, url)[1] <= KEPT_QUERIES


def _clients(client_for, world):
    clients = {who: _primed(client_for(who), world) for who in ("bureau", "bureau_b", "city")}
    for client in clients.values():
        _get(client, reverse("home"))
        assert _kept(client, reverse("home"))
    return clients


def test_the_scopes_of_each_kind_of_person(world):
    a, b = world.district_a.pk, world.district_b.pk
    for who in ("bureau", "leader", "department", "park", "supervisor", "manager"):
        assert datastamp.scopes_of(getattr(world, f"user_{who}")) == (datastamp.GLOBAL, -a), who
    assert datastamp.scopes_of(world.user_bureau_b) == (datastamp.GLOBAL, -b)
    for who in ("city", "enterprise"):
        assert datastamp.scopes_of(getattr(world, f"user_{who}")) == (
            datastamp.GLOBAL,
            datastamp.ANY,
        ), who


def test_a_district_s_post_leaves_the_other_district_s_pages_kept(kept_pages, client_for, world):
    clients = _clients(client_for, world)
    Notification.objects.create(recipient=world.user_bureau, verb="x", title="待阅")
    for client in clients.values():  # (that write was made outside a request: every page)
        assert not _kept(client, reverse("home"))
        assert _kept(client, reverse("home"))
    response = clients["bureau"].post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.user_bureau, read_at=None).exists()
    assert not _kept(clients["bureau"], reverse("home"))  # its district: built anew
    assert not _kept(clients["city"], reverse("home"))  # who sees every district: built anew
    assert _kept(clients["bureau_b"], reverse("home"))  # the other district: still kept


def test_a_write_named_for_no_district_gives_every_page_a_new_stamp(kept_pages, client_for, world):
    clients = _clients(client_for, world)
    Project.objects.filter(pk=world.project1_b.pk).update(name="另一个名字")  # (a task, a command)
    for who, client in clients.items():
        assert not _kept(client, reverse("home")), who


def test_another_district_s_row_saved_in_a_district_s_request_gives_every_page_a_new_stamp(
    world,
):
    request = RequestFactory().post("/")
    request.user = world.user_bureau
    scopes_b = datastamp.scopes_of(world.user_bureau_b)
    before = datastamp.read(scopes=scopes_b)
    with datastamp.attributed(request):
        Project.objects.filter(pk=world.project1_a.pk).update(name="本区")  # its own district
        assert datastamp.read(scopes=scopes_b) == before
        project = Project.objects.get(pk=world.project1_b.pk)
        project.name = "外区"
        project.save(update_fields=["name"])  # a row of the other district
    assert datastamp.read(scopes=scopes_b) != before


def test_a_message_to_another_district_s_person_gives_every_page_a_new_stamp(world):
    from zhaoshang.notifications.services import notify

    request = RequestFactory().post("/")
    request.user = world.user_bureau
    scopes_b = datastamp.scopes_of(world.user_bureau_b)
    before = datastamp.read(scopes=scopes_b)
    with datastamp.attributed(request):
        notify([world.user_leader], "x", "本区的消息")  # its own district's person
        assert datastamp.read(scopes=scopes_b) == before
        notify([world.user_bureau_b], "x", "外区的消息")
    assert datastamp.read(scopes=scopes_b) != before


def test_the_api_signed_in_by_token_writes_for_its_person_s_district(world):
    """REST framework signs the token's person in on the request itself: their writes are
    named for their district, as a page's are."""
    from django.test import Client

    from zhaoshang.api.services import issue_token

    _token, key = issue_token(world.user_bureau)
    scopes_a = datastamp.scopes_of(world.user_bureau)
    scopes_b = datastamp.scopes_of(world.user_bureau_b)
    before_a, before_b = datastamp.read(scopes=scopes_a), datastamp.read(scopes=scopes_b)
    response = Client().post(
        reverse("api:project-condition", args=[world.project1_a.pk]),
        {"condition": "delayed", "reason": "资金未到位"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 200, response.content
    assert datastamp.read(scopes=scopes_a) != before_a
    assert datastamp.read(scopes=scopes_b) == before_b
