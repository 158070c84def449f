"""A message is dated by the one clock: written during the demo's replay of a past day, it
reads as that day in the inbox and the outbox."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhaoshang.core import clock
from zhaoshang.notifications.models import Notification, OutboxMessage
from zhaoshang.notifications.services import notify, notify_many


def test_notify_and_notify_many_date_messages_by_the_clock(world):
    moment = timezone.make_aware(datetime.datetime(2026, 2, 3, 10, 15))
    world.user_bureau.email = "bureau@example.cn"
    world.user_bureau.save()
    with clock.at(moment):
        (note,) = notify([world.user_bureau], "test.one", "一条消息")
        notify_many([([world.user_officer], "test.many", "另一条消息", "", "")])
    assert note.created_at == moment
    assert set(Notification.objects.values_list("created_at", flat=True)) == {moment}
    assert OutboxMessage.objects.get(notification=note).created_at == moment


def test_outside_the_replay_a_message_is_dated_now(world):
    (note,) = notify([world.user_bureau], "test.one", "一条消息")
    assert note.created_at == timezone.now()
