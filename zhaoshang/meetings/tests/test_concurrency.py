"""Races on PostgreSQL with real concurrent connections: two people act on the same action
item at once (one succeeds, the other is told, nothing is overwritten), and decisions of
the same meeting recorded at once get distinct numbers, as do their action items."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.models import ActionItem, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting, row

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL"
)


def _race(*calls):
    """Run the calls at the same moment, each on its own connection; their outcomes."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except ValidationError as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.parametrize("with_version", [True, False])
def test_close_and_send_back_at_once(committed_db, with_version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    world = committed_db
    item = make_item(world)
    evidence = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    services.complete_action_item(world.user_department, item, "已办结", evidence)
    version = ActionItem.objects.get(pk=item.pk).version

    def close():
        fresh = ActionItem.objects.get(pk=item.pk)
        return services.close_action_item(
            world.user_supervisor,
            fresh,
            "同意销号",
            expected_version=version if with_version else None,
        )

    def send_back():
        fresh = ActionItem.objects.get(pk=item.pk)
        return services.return_action_item(
            world.user_admin, fresh, "材料不全", expected_version=version if with_version else None
        )

    results = _race(close, send_back)
    done = [r for r in results if isinstance(r, ActionItem)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1
    if with_version:
        assert refused[0].code == "concurrent_edit"
    else:
        assert "status" in refused[0].message_dict
    final = ActionItem.objects.get(pk=item.pk)
    assert final.status == done[0].status in (ActionStatus.CLOSED, ActionStatus.RETURNED)
    assert final.version == version + 1


def test_decisions_recorded_at_once_get_their_own_numbers(committed_db):
    world = committed_db
    meeting = make_meeting(world)

    def decide(user, department):
        def call():
            fresh = Meeting.objects.get(pk=meeting.pk)
            return services.record_decision(
                user, fresh, text="限期办结", action_items=[row(department), row(department)]
            )

        return call

    results = _race(
        decide(world.user_bureau, world.dept_works_a),
        decide(world.user_leader, world.dept_land_a),
        decide(world.user_supervisor, world.dept_works_a),
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(d.number for d in results) == [1, 2, 3]
    numbers = list(ActionItem.objects.values_list("number", flat=True))
    assert len(numbers) == 6 and len(set(numbers)) == 6
