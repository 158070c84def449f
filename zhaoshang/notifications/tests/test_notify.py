"""notify() writes inbox and outbox in the caller's transaction; delivery retries."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhaoshang.notifications.models import Notification, OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import MAX_ATTEMPTS, deliver_pending, notify


def test_notify_writes_the_inbox_and_the_outbox(world):
    world.user_leader.email = "leader@example.gov.cn"
    world.user_leader.save()
    notes = notify(
        [world.user_leader, world.user_bureau, world.user_leader, None], "x", "标题", "正文", "/"
    )
    assert len(notes) == 2
    assert OutboxMessage.objects.get().address == "leader@example.gov.cn"


def test_nothing_is_written_when_the_change_rolls_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([world.user_leader], "x", "t")
        raise RuntimeError
    assert not Notification.objects.exists()


def test_delivery_sends_and_retries_with_back_off(world, monkeypatch):
    world.user_leader.email = "leader@example.gov.cn"
    world.user_leader.save()
    notify([world.user_leader], "x", "项目已开工", url="/projects/1/")
    assert deliver_pending() == 1
    assert mail.outbox[0].subject == "项目已开工"
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT

    notify([world.user_leader], "x", "第二条")
    from zhaoshang.notifications import services

    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", down)
    assert deliver_pending() == 0
    message = OutboxMessage.objects.get(status=OutboxStatus.PENDING)
    assert message.attempts == 1 and "smtp down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert deliver_pending() == 0  # not due yet
    for day in range(1, MAX_ATTEMPTS + 2):
        deliver_pending(now=timezone.now() + datetime.timedelta(days=day))
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS


def test_inbox_shows_unread_count_and_marks_read(client_for, world):
    notify([world.user_bureau], "x", "请审核项目资料", url="/projects/")
    client = client_for("bureau")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1<' in page
    note = Notification.objects.get()
    assert client.get(reverse("notifications:open", args=[note.pk]))["Location"] == "/projects/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_open_does_not_redirect_off_site(client_for, world):
    notify([world.user_bureau], "x", "t", url="https://evil.example.com/")
    note = Notification.objects.get()
    assert client_for("bureau").get(reverse("notifications:open", args=[note.pk]))[
        "Location"
    ] == reverse("notifications:inbox")
