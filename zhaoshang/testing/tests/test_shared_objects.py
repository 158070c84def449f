"""Objects built once per module (``zhaoshang/testing/shared.py``): every test sees them as
built, each test's writes are rolled back before the next test, and the module's transaction
is the outermost one, each test's savepoint inside it."""

from __future__ import annotations

import pytest
from django.db import connection

from zhaoshang.notifications.models import Notification
from zhaoshang.testing import shared
from zhaoshang.testing.shared import built_once_per_module

TITLE = "built once for the module"
BUILDS = []


def build(world):
    BUILDS.append(1)
    note = Notification.objects.create(recipient=world.user_admin, verb="t", title=TITLE)
    return {"note": note, "user": world.user_admin}


globals().update(built_once_per_module(build))


@pytest.mark.parametrize("run", range(3))
def test_each_test_sees_the_objects_as_built_and_leaves_nothing_behind(matrix_objects, run):
    """Three tests that change the module's object, in the database and in memory, and add
    rows: whichever runs later finds none of it."""
    note = matrix_objects["note"]
    assert len(BUILDS) == 1  # built once, whatever the number of tests
    assert note.title == TITLE  # the test's own copy, unchanged by the tests before
    assert Notification.objects.get(pk=note.pk).title == TITLE
    assert not Notification.objects.filter(verb="written by a test").exists()
    note.title = f"changed by test {run}"
    note.save()
    Notification.objects.create(recipient=matrix_objects["user"], verb="written by a test")
    matrix_objects["user"].real_name = "changed in memory"


def test_the_module_transaction_is_outside_the_tests_savepoint(matrix_objects):
    assert connection.atomic_blocks[0] is shared.OPEN["default"]
    assert len(connection.atomic_blocks) >= 2  # the test's own block, inside it
    assert matrix_objects["user"].real_name != "changed in memory"
