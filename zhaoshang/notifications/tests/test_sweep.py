"""The outbox sweep: every due row, batch after batch; claims keep two sweeps apart;
a mail server that is down puts the batch back with its back-off."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from zhaoshang.notifications import services
from zhaoshang.notifications.models import Channel, Notification, OutboxMessage, OutboxStatus


def _pending(user, n: int) -> list[OutboxMessage]:
    made = []
    for i in range(n):
        note = Notification.objects.create(recipient=user, verb="t", title=f"消息{i}")
        made.append(
            OutboxMessage.objects.create(
                notification=note, channel=Channel.EMAIL, address=f"p{i}@example.gov.cn"
            )
        )
    return made


def test_the_sweep_delivers_every_due_row_not_only_one_batch(world):
    _pending(world.user_leader, 7)
    assert services.deliver_pending(batch_size=3) == 7
    assert len(mail.outbox) == 7
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
    assert set(OutboxMessage.objects.values_list("claim", flat=True)) == {""}
    assert services.deliver_pending(batch_size=3) == 0  # nothing twice


def test_a_limit_still_bounds_one_call(world):
    _pending(world.user_leader, 5)
    assert services.deliver_pending(limit=2) == 2
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 3


def test_rows_claimed_by_another_sweep_are_not_sent_until_the_claim_lapses(world):
    rows = _pending(world.user_leader, 4)
    now = timezone.now()
    token, claimed = services._claim_batch(now, 2)  # a sweep that holds two rows
    assert [m.pk for m in claimed] == [rows[0].pk, rows[1].pk]
    assert services.deliver_pending() == 2  # the other sweep: only the two others
    assert {m.to[0] for m in mail.outbox} == {"p2@example.gov.cn", "p3@example.gov.cn"}
    # The first sweep died: after the claim lapses, a later sweep delivers its rows.
    later = now + datetime.timedelta(seconds=services.CLAIM_SECONDS + 1)
    assert services.deliver_pending(now=later) == 2
    assert len(mail.outbox) == 4


def test_a_mail_server_that_is_down_puts_the_batch_back_with_back_off(world, settings):
    _pending(world.user_leader, 5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    assert services.deliver_pending(batch_size=2) == 0
    tried = OutboxMessage.objects.filter(attempts=1)
    # The sweep stops at the first batch whose connection fails: the rest waits its turn.
    assert tried.count() == 2
    assert all(m.next_attempt_at > timezone.now() for m in tried)
    assert all(m.status == OutboxStatus.PENDING and m.last_error for m in tried)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver_pending() == 3  # the untried rows are due at once
    later = timezone.now() + datetime.timedelta(minutes=3)
    assert services.deliver_pending(now=later) == 2  # the back-off of 2 minutes is over


def test_a_failed_message_can_be_queued_again(world, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    (message,) = _pending(world.user_leader, 1)
    message.status, message.attempts = OutboxStatus.FAILED, services.MAX_ATTEMPTS
    message.last_error = "550 mailbox unavailable"
    message.save()
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_message(world.user_admin, message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_outbox").exists()
    assert services.deliver_pending() == 1
    with pytest.raises(ValidationError) as refused:
        services.retry_message(world.user_admin, message)
    assert "status" in refused.value.message_dict


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections")
def test_two_sweeps_at_once_never_send_a_message_twice(committed_db):
    world = committed_db
    _pending(world.user_leader, 60)
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            services.deliver_pending(batch_size=5)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == 60 and len(set(addresses)) == 60
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 60


def test_a_claim_keeps_only_the_rows_it_won(world, monkeypatch):
    rows = _pending(world.user_leader, 3)
    update = type(OutboxMessage.objects.all()).update

    def taken_first(queryset, **kwargs):
        # Between the sweep's read and its claim, another sweep took the first row.
        monkeypatch.undo()
        OutboxMessage.objects.filter(pk=rows[0].pk).update(status=OutboxStatus.SENT)
        return update(queryset, **kwargs)

    monkeypatch.setattr(type(OutboxMessage.objects.all()), "update", taken_first)
    token, batch = services._claim_batch(timezone.now(), 3)
    assert [m.pk for m in batch] == [rows[1].pk, rows[2].pk]
    assert all(m.claim == token for m in batch)
