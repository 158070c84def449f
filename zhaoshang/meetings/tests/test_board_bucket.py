"""The supervision board's stored bucket (issue 19 point 3): ``ActionItem.bucket`` always
equals its status's bucket (open, awaiting confirmation, closed) through every step of an
item's life and every bulk write; the board's order is the one the computed days left gave
before; the district's board is read from its index without a sort."""

from __future__ import annotations

import datetime
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import OPEN_ACTION_STATUSES, ActionStatus
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.querysets import bucket_of
from zhaoshang.meetings.tests.factories import make_item


def _assert_buckets_follow_the_statuses():
    rows = list(ActionItem.objects.values_list("status", "bucket"))
    assert rows
    assert [b for _s, b in rows] == [bucket_of(s) for s, _b in rows]


def _items(world, n: int) -> list[ActionItem]:
    items = [make_item(world, title=f"事项{i}", due_workdays=1 + (i * 7) % 11) for i in range(n)]
    statuses = list(ActionStatus)
    for i, item in enumerate(items):  # every status, some due dates shared, some passed
        ActionItem.objects.filter(pk=item.pk).update(
            status=statuses[i % len(statuses)],
            due_on=clock.today() + datetime.timedelta(days=(i * 5) % 13 - 6),
        )
    return items


def test_the_bucket_follows_an_item_through_its_life(world):
    item = make_item(world, title="督办", due_workdays=3)
    _assert_buckets_follow_the_statuses()
    assert item.bucket == 0 or ActionItem.objects.get(pk=item.pk).bucket == 0
    services.report_progress(world.user_department, item, "进行中")
    _assert_buckets_follow_the_statuses()
    evidence = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    item = ActionItem.objects.get(pk=item.pk)
    services.complete_action_item(world.user_department, item, "已办结", evidence)
    assert ActionItem.objects.get(pk=item.pk).bucket == 1
    services.return_action_item(world.user_supervisor, ActionItem.objects.get(pk=item.pk), "重办")
    assert ActionItem.objects.get(pk=item.pk).bucket == 0
    item = ActionItem.objects.get(pk=item.pk)
    again = SimpleUploadedFile("b.pdf", b"%PDF-1.4")
    services.complete_action_item(world.user_department, item, "再次办结", again)
    services.close_action_item(world.user_supervisor, ActionItem.objects.get(pk=item.pk))
    assert ActionItem.objects.get(pk=item.pk).bucket == 2
    _assert_buckets_follow_the_statuses()


def test_the_bucket_follows_bulk_writes(world):
    items = _items(world, 10)
    _assert_buckets_follow_the_statuses()
    ActionItem.objects.filter(pk__in=[i.pk for i in items[:5]]).update(
        status=ActionStatus.AWAITING_CONFIRMATION
    )
    _assert_buckets_follow_the_statuses()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ActionItem._meta.db_table} SET status = %s", [ActionStatus.RETURNED]
        )
    assert set(ActionItem.objects.values_list("bucket", flat=True)) == {0}


def _old_order(qs, today):
    """The board's order before the stored bucket: a CASE on the status, then the days left
    computed in SQL (NULLs last), then the due date."""
    return (
        qs.with_days_left(today)
        .annotate(
            old_bucket=Case(
                When(status__in=OPEN_ACTION_STATUSES, then=Value(0)),
                When(status=ActionStatus.AWAITING_CONFIRMATION, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("old_bucket", F("days_left").asc(nulls_last=True), "due_on", "id")
    )


def _shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-item="(\d+)"', response.content.decode())]


def test_the_board_order_is_the_one_the_days_left_gave(world, client_for):
    _items(world, 24)
    client = client_for("supervisor")
    response = client.get(reverse("meetings:board"))
    scope = ActionItem.objects.visible_to(response.wsgi_request.user)
    old = list(_old_order(scope, clock.today()).values_list("pk", flat=True))
    shown = _shown(response)
    assert shown and shown == old[: len(shown)]
    summary = response.context["summary"]
    assert summary["open"] == scope.filter(status__in=OPEN_ACTION_STATUSES).count()
    assert summary["overdue"] == scope.overdue(clock.today()).count()
    assert summary["awaiting"] == scope.filter(status=ActionStatus.AWAITING_CONFIRMATION).count()
    assert summary["closed"] == scope.filter(status=ActionStatus.CLOSED).count()
    assert summary["total"] == scope.count()
    by_days = _shown(client.get(reverse("meetings:board"), {"sort": "days_left"}))
    expected = list(
        scope.with_days_left(clock.today())
        .order_by(F("days_left").asc(nulls_last=True), "due_on", "id")
        .values_list("pk", flat=True)
    )
    assert by_days == expected[: len(by_days)]
    by_days = _shown(client.get(reverse("meetings:board"), {"sort": "-days_left"}))
    expected = list(
        scope.with_days_left(clock.today())
        .order_by(F("days_left").desc(nulls_last=True), "-due_on", "id")
        .values_list("pk", flat=True)
    )
    assert by_days == expected[: len(by_days)]


def test_a_district_board_is_read_from_its_index_without_a_sort(world):
    if connection.vendor != "sqlite":
        return
    _items(world, 6)
    district = ActionItem.objects.filter(district=world.district_a)
    for qs, index in (
        (district.order_by("bucket", "due_on", "id"), "action_board_order"),
        (district.filter(status="closed", bucket=2).order_by("bucket", "due_on", "id"), None),
        (district.order_by("due_on", "id"), "action_board_due"),
        (district.order_by("-due_on", "-id"), "action_board_due"),
    ):
        sql, params = qs[:25].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert index is None or index in plan, plan
        assert "TEMP B-TREE" not in plan, plan
