"""``committed_db``'s ``TableSnapshot``: committed changes are undone, the copies unseen."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import connection

from zhaoshang.org.models import District, User
from zhaoshang.testing.database import TableSnapshot


def _state():
    return {
        "tables": set(connection.introspection.table_names()),
        "districts": sorted(District.objects.values_list("code", flat=True)),
        "names": sorted(User.objects.values_list("username", "real_name")),
        "sessions": sorted(Session.objects.values_list("session_key", "session_data")),
    }


def test_committed_changes_are_put_back(committed_db):
    world = committed_db
    assert not connection.in_atomic_block
    snapshot = TableSnapshot(connection)
    snapshot.take()
    before = _state()
    assert before["sessions"] and world.user_bureau.username in dict(before["names"])

    District.objects.create(code="committed", name="提交区", city="测试市")
    User.objects.filter(pk=world.user_bureau.pk).update(real_name="改过的名字")
    Session.objects.all().delete()
    assert _state() != before

    snapshot.restore()
    # the copies are not tables of the tests' database
    assert _state() == before
    # the next id follows the largest one left, as after a fresh load
    largest = max(District.objects.values_list("pk", flat=True))
    assert District.objects.create(code="after", name="之后区", city="测试市").pk == largest + 1
