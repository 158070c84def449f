"""The operations page: outbox counts and rows by status, scoped to the administrator's
district; the scheduled jobs' last run and next time; retrying a failed message; the same
number of queries for 3 rows as for 30."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from zhaoshang.notifications.models import Channel, Notification, OutboxMessage, OutboxStatus
from zhaoshang.ops.models import JobRun, RunStatus

URL = "/ops/"


def _message(user, status, error="", title="项目已开工"):
    note = Notification.objects.create(recipient=user, verb="t", title=title)
    return OutboxMessage.objects.create(
        notification=note,
        channel=Channel.EMAIL,
        address=f"{user.username}@example.gov.cn",
        status=status,
        last_error=error,
        attempts=6 if status == OutboxStatus.FAILED else 0,
    )


def test_the_route_is_mounted_at_ops():
    assert reverse("ops:status") == URL


def test_counts_rows_and_the_reason_of_a_failure_in_the_own_district(client_for, world):
    _message(world.user_bureau, OutboxStatus.PENDING)
    failed = _message(world.user_leader, OutboxStatus.FAILED, "550 mailbox unavailable")
    _message(world.user_leader, OutboxStatus.SENT)
    other = _message(world.user_bureau_b, OutboxStatus.FAILED, "district b")
    with override_settings(LANGUAGE_CODE="en"):
        client = client_for("admin")
        page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-message="{failed.pk}"' in page and "550 mailbox unavailable" in page
    assert f'data-message="{other.pk}"' not in page  # another district's message
    counts = page.split('data-testid="outbox-counts"')[1].split("</nav>")[0]
    assert 'All <span class="badge text-bg-light">3<' in counts
    assert 'data-status="failed">Failed <span class="badge text-bg-danger">1<' in counts
    filtered = client.get(URL, {"status": "failed"}).content.decode()
    assert filtered.count("data-message=") == 1
    assert f'action="{reverse("ops:outbox_retry", args=[failed.pk])}"' in filtered
    assert client.get(URL, {"status": "bogus"}).status_code == 200  # unknown filter: all


def test_jobs_show_the_last_run_and_the_next_time(client_for, world):
    now = timezone.now()
    JobRun.objects.create(
        job="daily_scan",
        slot=now.replace(hour=6),
        started_at=now - datetime.timedelta(hours=4),
        finished_at=now - datetime.timedelta(hours=4) + datetime.timedelta(seconds=12.5),
        status=RunStatus.FAILED,
        error="RuntimeError: the scan fell over",
    )
    page = client_for("admin").get(URL).content.decode()
    row = page.split('data-job="daily_scan"')[1].split("</tr>")[0]
    assert "2026-06-15 06:00:00" in row  # started (Asia/Shanghai)
    assert "12.5" in row and "RuntimeError: the scan fell over" in row
    assert "2026-06-16 06:00:00" in row  # next planned
    sweep = page.split('data-job="outbox_sweep"')[1].split("</tr>")[0]
    assert "2026-06-15 10:01:00" in sweep


def test_retrying_a_failed_message_queues_it_again(client_for, world):
    failed = _message(world.user_leader, OutboxStatus.FAILED, "550")
    client = client_for("admin")
    response = client.post(reverse("ops:outbox_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 0)
    # Only a failed message can be retried: a clear 400, nothing changes.
    with override_settings(LANGUAGE_CODE="en"):
        again = client.post(
            reverse("ops:outbox_retry", args=[failed.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert again.status_code == 400
    assert "Only a failed message can be retried." in again.content.decode()


def test_the_navigation_links_the_page_for_administrators_only(client_for, world):
    assert f'href="{URL}"' in client_for("admin").get("/").content.decode()
    assert f'href="{URL}"' not in client_for("bureau").get("/").content.decode()


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_3_rows_as_for_30(
    client_for, world, django_assert_max_num_queries
):
    client = client_for("admin")
    users = [world.user_bureau, world.user_leader, world.user_department]
    for i in range(3):
        _message(users[i % 3], OutboxStatus.FAILED, f"error {i}")
    for job in ("daily_scan", "outbox_sweep", "cleanup"):
        now = timezone.now()
        JobRun.objects.create(job=job, slot=now, started_at=now, finished_at=now)
    _queries(client)  # warm the process's one-time caches
    few = _queries(client)
    for i in range(27):
        _message(users[i % 3], [OutboxStatus.FAILED, OutboxStatus.SENT][i % 2], f"e{i}")
    assert _queries(client) == few
    with django_assert_max_num_queries(few):
        client.get(URL)
    assert few <= 11  # the session, its user with district and department, the unread count …


def test_an_administrator_without_a_district_sees_no_message(world):
    """Only a superuser reads every district's outbox; an admin-role account that lost its
    district does not fall through to all of them."""
    from zhaoshang.ops.permissions import outbox_visible_to

    _message(world.user_bureau, OutboxStatus.PENDING)
    _message(world.user_bureau_b, OutboxStatus.PENDING)
    admin = world.user_admin
    assert outbox_visible_to(admin).count() == 1
    admin.district = None
    assert outbox_visible_to(admin).count() == 0
