"""The read-replica router (``core.replica``): reads inside ``reading()`` go to the replica
when one is configured, every write and every read inside a transaction to ``default``;
without a replica nothing changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.replica import REPLICA, configured, reading
from zhaoshang.testing.replica import replica_mirror


def _statements(context) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def test_without_a_replica_nothing_changes(db):
    assert not configured() and REPLICA not in settings.DATABASES
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default, reading():
        assert Group.objects.count() >= 0
        group = Group.objects.create(name="read and written")
    assert group._state.db == DEFAULT_DB_ALIAS
    assert len(on_default.captured_queries) == 2


def test_reads_go_to_the_replica_only_inside_reading(db):
    Group.objects.create(name="g")
    with replica_mirror() as replica:
        assert configured()
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
            CaptureQueriesContext(replica) as on_replica,
        ):
            assert Group.objects.filter(name="g").exists()  # outside: the primary
            with reading():
                group = Group.objects.get(name="g")  # inside: the replica
        assert group._state.db == REPLICA
        assert len(_statements(on_default)) == 1 and len(_statements(on_replica)) == 1
        assert "auth_group" in _statements(on_replica)[0]


def test_every_write_goes_to_the_primary_even_of_an_object_read_from_the_replica(db):
    Group.objects.create(name="g")
    with replica_mirror() as replica:
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
            CaptureQueriesContext(replica) as on_replica,
            reading(),
        ):
            group = Group.objects.get(name="g")
            group.name = "renamed"
            group.save()
            Group.objects.create(name="new")
            Group.objects.filter(name="new").update(name="newer")
        written = _statements(on_default)
        assert [sql.split()[0] for sql in written] == ["UPDATE", "INSERT", "UPDATE"]
        assert all(sql.lstrip().upper().startswith("SELECT") for sql in _statements(on_replica))
    assert set(Group.objects.values_list("name", flat=True)) >= {"renamed", "newer"}


def test_a_transaction_reads_its_own_writes_from_the_primary(db):
    with replica_mirror() as replica:
        with CaptureQueriesContext(replica) as on_replica, reading():
            with transaction.atomic():
                Group.objects.create(name="inside")
                assert Group.objects.filter(name="inside").exists()
            assert Group.objects.filter(name="inside").exists()  # after it: the replica
        assert len(_statements(on_replica)) == 1


def test_the_replica_is_never_migrated(db):
    from django.db import router

    with replica_mirror():
        assert router.allow_migrate(REPLICA, "auth", model_name="group") is False
        assert router.allow_migrate(DEFAULT_DB_ALIAS, "auth", model_name="group") is True
