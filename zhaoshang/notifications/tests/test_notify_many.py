"""notify_many: many messages in two bulk inserts, with the same rules as notify()."""

from __future__ import annotations

from zhaoshang.notifications.models import Notification, OutboxMessage
from zhaoshang.notifications.services import notify_many


def test_notify_many_writes_each_recipient_once_with_its_outbox(
    world, django_assert_max_num_queries
):
    secretary, manager, outsider = world.user_secretary, world.user_manager, world.user_outsider
    secretary.email, manager.email = "secretary@example.gov.cn", ""
    secretary.save()
    manager.save()
    outsider.is_active = False
    outsider.save()
    messages = [
        ([secretary, secretary, manager], "signal.escalated", "红灯：事项一", "", "/a/"),
        ([outsider, None, manager], "signal.escalated", "黄灯：事项二", "", "/b/"),
    ] * 20
    with django_assert_max_num_queries(4):
        written = notify_many(messages)
    assert written == 60
    assert Notification.objects.filter(recipient=secretary).count() == 20
    assert Notification.objects.filter(recipient=manager).count() == 40
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert OutboxMessage.objects.filter(address="secretary@example.gov.cn").count() == 20
