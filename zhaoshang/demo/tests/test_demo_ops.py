"""The demo's operations page: the outbox in the morning, the jobs' last runs, API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.api.models import ApiToken, RevokeReason
from zhaoshang.demo.ops import MISTYPED_DOMAIN
from zhaoshang.notifications.models import OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import MAX_ATTEMPTS
from zhaoshang.ops import schedule
from zhaoshang.org.models import User

pytestmark = pytest.mark.django_db


def test_the_outbox_is_mostly_delivered_with_a_few_waiting_and_failed(demo_db):
    outbox = OutboxMessage.objects.filter(notification__recipient__district__code="demo")
    sent = outbox.filter(status=OutboxStatus.SENT)
    pending = outbox.filter(status=OutboxStatus.PENDING)
    failed = outbox.filter(status=OutboxStatus.FAILED)
    assert sent.count() > 20 * (pending.count() + failed.count())
    assert 1 <= pending.count() <= 6
    # one mistyped address: every message the replayed history sent to it failed
    assert 1 <= failed.count() <= 20
    assert failed.values("address").distinct().count() == 1
    for message in failed:
        assert MISTYPED_DOMAIN in message.address
        assert message.attempts == MAX_ATTEMPTS
        assert "550" in message.last_error and "Domain not found" in message.last_error
    # Delivered after it was written, never in the future.
    for created, sent_at in sent.values_list("created_at", "sent_at")[:500]:
        assert created <= sent_at
    newest = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    assert all(p.created_at > newest for p in pending) or pending.count() == 0


def test_staff_have_addresses_and_the_admin_sees_the_outbox(demo_db, client):
    assert not User.objects.filter(
        district__code="demo", enterprise__isnull=True, email=""
    ).exists()
    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("ops:status") + "?status=failed")
    assert response.status_code == 200
    assert MISTYPED_DOMAIN in response.content.decode()


def test_every_scheduled_job_has_a_last_run(demo_db):
    last = schedule.last_runs()
    names = {job.name for job in schedule.jobs()}
    assert set(last) == names
    for run in last.values():
        assert run.status == "succeeded", run
        assert run.finished_at >= run.started_at
        assert run.result
    assert "escalated" in last["daily_scan"].result
    assert last["daily_scan"].slot.astimezone(schedule.SHANGHAI).hour == 6


def test_the_bureau_sees_its_tokens_and_the_admin_the_districts(demo_db, client, today):
    bureau = User.objects.get(username="bureau")
    tokens = {t.name: t for t in ApiToken.objects.filter(user=bureau)}
    live = tokens["大数据局数据共享接口"]
    assert live.is_live and live.last_used_at.date() <= today
    assert any(t.is_expired and t.revoked_at is None for t in tokens.values())
    revoked = [t for t in tokens.values() if t.revoked_at is not None]
    assert [t.revoke_reason for t in revoked] == [RevokeReason.ADMIN]
    assert revoked[0].revoked_by.username == "admin"
    client.force_login(bureau)
    page = client.get(reverse("tokens:list")).content.decode()
    assert "大数据局数据共享接口" in page
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("tokens:district")).content.decode()
    assert "园区招商大屏" in page and "大数据局数据共享接口" in page
