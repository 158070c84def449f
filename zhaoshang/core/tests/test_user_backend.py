"""The session's user is read with its district, department and roles in one statement
(``core.backends.UserBackend``, issue 19.2): the roles are exactly its groups' names, as
``roles.roles_of`` reads them apart."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.core import roles
from zhaoshang.core.backends import UserBackend
from zhaoshang.testing.factories.org import UserFactory

pytestmark = pytest.mark.django_db


def _read(user):
    with CaptureQueriesContext(connection) as ctx:
        found = UserBackend().get_user(user.pk)
        found_roles = roles.roles_of(found)
        found.district, found.department  # noqa: B018 (read with the user)
    return found, found_roles, len(ctx.captured_queries)


def test_roles_come_with_the_user_in_one_statement():
    odd, _ = Group.objects.get_or_create(name='a, "b", 区')
    user = UserFactory(roles=[roles.Role.BUREAU, roles.Role.PARK])
    user.groups.add(odd)
    found, found_roles, statements = _read(user)
    assert statements == 1
    assert found_roles == {roles.Role.BUREAU, roles.Role.PARK, 'a, "b", 区'}
    assert found_roles == frozenset(user.groups.values_list("name", flat=True))


def test_no_group_and_the_superuser():
    plain = UserFactory()
    assert _read(plain)[1:] == (frozenset(), 1)
    superuser = UserFactory(is_superuser=True, roles=[roles.Role.CITY])
    assert _read(superuser)[1:] == ({roles.Role.CITY, roles.Role.ADMIN}, 1)


def test_an_inactive_user_is_not_read():
    assert UserBackend().get_user(UserFactory(is_active=False).pk) is None
