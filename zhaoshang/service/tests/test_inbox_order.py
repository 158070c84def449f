"""The leaders' inboxes (receipts addressed to the leader in charge; items forwarded to a
principal leader) list the unread first, then the newest first — never the read ones in
the order they were read (issue 18 point 5)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoshang.service import services
from zhaoshang.service.models import Forward, Receipt
from zhaoshang.service.tests.conftest import day


def _at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def _order(html: str, attribute: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'data-{attribute}="(\d+)"', html)]


def test_the_receipt_inbox_lists_the_unread_then_the_newest(world, client_for, file_receipt):
    oldest = file_receipt(visited_on=day("2026-06-01"), matter="用地预审")
    middle = file_receipt(visited_on=day("2026-06-08"), matter="环评批复")
    newest = file_receipt(visited_on=day("2026-06-12"), matter="施工许可")
    # The oldest was read first, the newest last: read order must not decide the list.
    Receipt.objects.filter(pk=oldest.pk).update(read_at=_at("2026-06-02 09:00"))
    Receipt.objects.filter(pk=newest.pk).update(read_at=_at("2026-06-13 09:00"))
    html = client_for("manager").get(reverse("service:inbox")).content.decode()
    assert _order(html, "receipt") == [middle.pk, newest.pk, oldest.pk]


@pytest.fixture
def principal(world):
    leader = world.user_leader
    leader.is_principal_leader = True
    leader.title = "区长"
    leader.save()
    return leader


def test_the_forwarded_inbox_lists_the_unread_then_the_newest(
    world, principal, client_for, file_receipt
):
    rows = []
    for n, visited in enumerate(["2026-06-01", "2026-06-08", "2026-06-12"]):
        receipt = file_receipt(visited_on=day(visited), matter=f"事项{n}")
        (row,) = services.forward(world.user_manager, receipt=receipt, note="请研究。")
        Forward.objects.filter(pk=row.pk).update(sent_at=_at(f"{visited} 10:00"))
        rows.append(row)
    oldest, middle, newest = rows
    Forward.objects.filter(pk=oldest.pk).update(read_at=_at("2026-06-02 09:00"))
    Forward.objects.filter(pk=newest.pk).update(read_at=_at("2026-06-13 09:00"))
    html = client_for("leader").get(reverse("service:forwarded")).content.decode()
    assert _order(html, "forward") == [middle.pk, newest.pk, oldest.pk]
