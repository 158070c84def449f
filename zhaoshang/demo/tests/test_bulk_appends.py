"""The load's domain events, history rows and messages written in bulk (demo/deferred.py):
nothing reads a table before its held rows are in it, a rolled-back block takes its rows
with it, a row is written after the held row it points at, and the rows get the ids, in
order, that saving them one by one gave."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from zhaoshang.core.audit import log_event
from zhaoshang.core.models import DomainEvent
from zhaoshang.demo.deferred import bulk_appends
from zhaoshang.notifications.models import Notification, OutboxMessage
from zhaoshang.notifications.services import notify
from zhaoshang.org.choices import WorkingGroupKind
from zhaoshang.org.models import Department, WorkingGroup
from zhaoshang.testing.factories.org import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def _raw_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def test_events_are_held_until_their_table_is_read_and_keep_their_order():
    district = DistrictFactory()
    first = DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with bulk_appends() as held:
        for n in range(3):
            log_event(None, "test.held", district, summary=f"event {n}")
        assert sum(len(rows) for rows in held.held.values()) == 3
        mine = DomainEvent.objects.filter(verb="test.held").order_by("pk")  # a read: written
        assert [e.summary for e in mine] == ["event 0", "event 1", "event 2"]
        assert all(e.pk > first for e in mine)
        assert not held.held


def test_history_rows_are_written_when_the_block_ends():
    district = DistrictFactory()
    table = Department.history.model._meta.db_table
    before = _raw_count(table)
    with bulk_appends() as held:
        Department.objects.create(district=district, name="测试局", short_name="测试局")
        assert held.held  # held: no statement named the history table yet
    assert _raw_count(table) == before + 1
    row = Department.history.get(name="测试局")
    assert row.history_type == "+"


def test_a_rolled_back_block_takes_its_rows_with_it():
    district = DistrictFactory()
    with bulk_appends():
        log_event(None, "test.kept", district)
        with pytest.raises(RuntimeError), transaction.atomic():
            log_event(None, "test.rolled_back", district)
            raise RuntimeError
    verbs = set(DomainEvent.objects.filter(verb__startswith="test.").values_list("verb", flat=True))
    assert verbs == {"test.kept"}


def test_an_event_is_only_ever_added():
    district = DistrictFactory()
    with bulk_appends():
        event = log_event(None, "test.held", district)
        with pytest.raises(ValueError):
            event.save(using="other")
    assert DomainEvent.save is not None and "save" in DomainEvent.__dict__


def test_messages_are_held_and_an_outbox_row_is_written_after_its_notification():
    user = UserFactory(email="held@example.com")
    with bulk_appends() as held:
        notes = notify([user], "test.held", "标题")
        assert {Notification, OutboxMessage} <= set(held.held)
        assert notes[0].pk is None
        # A read of the outbox writes the notifications it points at first.
        outbox = list(OutboxMessage.objects.filter(address="held@example.com"))
        assert Notification not in held.held and OutboxMessage not in held.held
    assert [m.notification.verb for m in outbox] == ["test.held"]
    assert outbox[0].notification_id == notes[0].pk


def test_history_rows_and_their_many_to_many_rows_are_written_in_order():
    district = DistrictFactory()
    departments = [
        Department.objects.create(district=district, name=f"测试{n}局", short_name=f"测试{n}")
        for n in range(2)
    ]
    with bulk_appends() as held:
        group = WorkingGroup.objects.create(
            district=district, name="测试小组", kind=WorkingGroupKind.LAND
        )
        group.departments.add(*departments)  # a second history row, with two link rows
        assert WorkingGroup.history.model in held.held
    rows = list(WorkingGroup.history.filter(id=group.pk).order_by("history_id"))
    assert [r.departments.count() for r in rows] == [0, 2]
