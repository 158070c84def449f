"""Every person of the world × every route of the operations page × a message to a user of
the administrator's own district (``in``) and one to a user of the other district
(``other``).

The table of the generator (``zhaoshang/testing/matrix.py``). The rule (``ops/permissions.py``): the admin
role (and superusers) only; a district's administrator sees and retries only the messages to
the people of their own district (another district's is a 404).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.testing.matrix import Matrix

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "ops:status": (None, "admin", "GET"),
    "ops:outbox_retry": ("message", "admin", "POST"),
}

ADMINS = {"admin"}  # the world's admin of district a (bureau_b is not an administrator)


def expected(who: str, route: str, target: str | None) -> int:
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


@pytest.fixture
def matrix_objects(failed_messages):
    return failed_messages


def url(messages, route, target):
    if ROUTES[route][0] is None:
        return reverse(route)
    return reverse(route, args=[messages[target].pk])


def retried_when_allowed(messages, route, target):
    """A failed message is queued again exactly when the retry is allowed (302)."""
    from zhaoshang.notifications.models import OutboxMessage, OutboxStatus

    def check(who, status):
        if target is not None:
            retried = OutboxMessage.objects.get(pk=messages[target].pk)
            assert (retried.status == OutboxStatus.PENDING) == (
                expected(who, route, target) == 302
            ), who

    return check


globals().update(
    Matrix(
        ROUTES,
        expected,
        url,
        namespaces=["ops"],
        targets=("in", "other"),
        check=retried_when_allowed,
    ).tests()
)


def test_a_superuser_sees_every_district(client, world, failed_messages):
    from zhaoshang.org.models import User

    root = User.objects.create_superuser("root", "root@example.gov.cn", "x")
    client.force_login(root)
    page = client.get(reverse("ops:status")).content.decode()
    for message in failed_messages.values():
        assert f'data-message="{message.pk}"' in page
