"""Every person of the world × every route of the operations page × a message to a user of
the administrator's own district (``in``) and one to a user of the other district
(``other``).

The core matrix (``core/tests/test_permission_matrix.py``) reads ``ROUTES`` below, so a new
route of this app without an entry fails there. The rule (``ops/permissions.py``): the admin
role (and superusers) only; a district's administrator sees and retries only the messages to
the people of their own district (another district's is a 404).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.core.testing import assert_statuses, each_person
from zhaoshang.core.tests.test_permission_matrix import PEOPLE

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "ops:status": (None, "admin", "GET"),
    "ops:outbox_retry": ("message", "admin", "POST"),
}

ADMINS = {"admin"}  # the world's admin of district a (bureau_b is not an administrator)


def _expected(who: str, route: str, target: str | None) -> int:
    kind, _needs, method = ROUTES[route]
    if who not in ADMINS:
        return 403
    if target == "other":
        return 404
    return 302 if method == "POST" else 200


@pytest.fixture
def failed_messages(world):
    """A failed message to a user of each district."""
    from zhaoshang.notifications.models import (
        Channel,
        Notification,
        OutboxMessage,
        OutboxStatus,
    )

    made = {}
    for target, user in (("in", world.user_bureau), ("other", world.user_bureau_b)):
        note = Notification.objects.create(recipient=user, verb="t", title="项目已签约")
        made[target] = OutboxMessage.objects.create(
            notification=note,
            channel=Channel.EMAIL,
            address=f"{user.username}@example.gov.cn",
            status=OutboxStatus.FAILED,
            attempts=6,
            last_error="550 mailbox unavailable",
        )
    return made


def _cases():
    for route, (kind, _needs, _method) in ROUTES.items():
        for target in [None] if kind is None else ["in", "other"]:
            yield pytest.param(route, target, id=f"{route}-{target}")


def _url(messages, route, target):
    if ROUTES[route][0] is None:
        return reverse(route)
    return reverse(route, args=[messages[target].pk])


@pytest.mark.parametrize(("route", "target"), list(_cases()))
def test_permission_matrix(client_for, failed_messages, route, target):
    from zhaoshang.notifications.models import OutboxMessage, OutboxStatus

    url = _url(failed_messages, route, target)
    method = ROUTES[route][2]
    expected = {who: _expected(who, route, target) for who in PEOPLE}

    def status(who):
        response = client_for(who).post(url, {}) if method == "POST" else client_for(who).get(url)
        if target is not None:
            retried = OutboxMessage.objects.get(pk=failed_messages[target].pk)
            assert (retried.status == OutboxStatus.PENDING) == (expected[who] == 302), who
        return response.status_code

    assert_statuses(each_person(PEOPLE, status), expected, f"{method} {url}")


@pytest.mark.parametrize("route", [r for r in ROUTES if ROUTES[r][2] == "GET"])
def test_anonymous_users_are_sent_to_login(client, failed_messages, route):
    response = client.get(_url(failed_messages, route, None))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_superuser_sees_every_district(client, world, failed_messages):
    from zhaoshang.org.models import User

    root = User.objects.create_superuser("root", "root@example.gov.cn", "x")
    client.force_login(root)
    page = client.get(reverse("ops:status")).content.decode()
    for message in failed_messages.values():
        assert f'data-message="{message.pk}"' in page


def test_every_route_of_the_app_is_in_the_matrix():
    from zhaoshang.core.testing import route_names

    assert route_names("ops") == set(ROUTES)
