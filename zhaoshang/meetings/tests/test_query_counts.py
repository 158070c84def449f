"""Query-count invariance of the meeting and supervision pages and API lists: 3 rows cost
as many queries as 30 (no query per row, per agenda item, decision, attendee or note)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.audit import log_event
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, ProgressKind
from zhaoshang.meetings.models import ActionItem, ActionProgress, AgendaItem, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting, row
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need

_serial = itertools.count(1)
STATUSES = [
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.AWAITING_CONFIRMATION,
    ActionStatus.RETURNED,
    ActionStatus.CLOSED,
]


@pytest.fixture
def main(world):
    """The meeting and the action item whose pages grow."""
    meeting = make_meeting(world, projects=[world.project1_a])
    decision = services.record_decision(
        world.user_bureau,
        meeting,
        text="限期办结",
        agenda_item=meeting.agenda_items.get(),
        action_items=[row(world.dept_works_a, project=world.project1_a)],
    )
    return meeting, decision.action_items.get()


def _need(world, status=NeedStatus.ESCALATED) -> Need:
    n = next(_serial)
    return Need.objects.create(
        district=world.district_a,
        number=f"WT-2026-{n:04d}",
        project=world.project1_a,
        raised_by=world.user_secretary,
        raised_on=datetime.date(2026, 6, 1),
        category="land",
        title=f"计数问题{n}",
        description="—",
        department=world.dept_works_a,
        due_workdays=5,
        due_on=datetime.date(2026, 6, 8),
        status=status,
        escalated_on=datetime.date(2026, 6, 10),
        escalated_by=world.user_department,
    )


def grow(world, main, n: int) -> None:
    meeting, item = main
    admin = world.user_admin
    for _row in range(n):
        k = next(_serial)
        # Another meeting of the list, with its agenda, attendance and decisions.
        other = Meeting.objects.create(
            district=world.district_a,
            number=f"HY-2025-{k:04d}",
            kind=["joint", "coordination", "on_site", "special", "leading_group"][k % 5],
            title=f"计数会议{k}",
            held_on=datetime.date(2026, 5, 1) + datetime.timedelta(days=k % 30),
            chair=world.user_leader if k % 2 else world.user_manager,
            created_by=admin,
        )
        other.departments.add(world.dept_works_a, world.dept_land_a)
        other.attendees.add(world.user_department, world.user_supervisor)
        AgendaItem.objects.create(meeting=other, project=world.project1_a, added_by=admin)
        AgendaItem.objects.create(
            meeting=other, case=world.case_a, project=world.project1_a, added_by=admin
        )
        AgendaItem.objects.create(
            meeting=other, need=_need(world), project=world.project1_a, added_by=admin
        )
        # The main meeting grows: agenda, attendance, decisions with their items, events.
        need = _need(world)
        agenda = AgendaItem.objects.create(
            meeting=meeting, order=10 + k, need=need, project=world.project1_a, added_by=admin
        )
        AgendaItem.objects.create(meeting=meeting, order=10 + k, topic=f"议题{k}", added_by=admin)
        meeting.attendees.add(world.user_officer if k % 2 else world.user_outsider)
        services.record_decision(
            world.user_bureau,
            meeting,
            text=f"议定事项{k}",
            agenda_item=agenda,
            action_items=[
                row(world.dept_works_a, owner_person=world.user_officer, project=world.project1_a),
                row(world.dept_land_a, due_workdays=None, due_on=datetime.date(2026, 7, 1)),
            ],
        )
        # Items of every status and source for the board and the worklist.
        extra = make_item(
            world,
            owner_person=world.user_department if k % 2 else None,
            project=world.project2_a if k % 3 else None,
            need=None if k % 3 else _need(world, NeedStatus.IN_PROGRESS),
        )
        ActionItem.objects.filter(pk=extra.pk).update(status=STATUSES[k % len(STATUSES)])
        # The main item's record.
        entry = ActionProgress(
            action_item=item,
            kind=ProgressKind.NOTE,
            recorded_on=datetime.date(2026, 6, 15),
            text=f"进展{k}",
            by=world.user_department if k % 2 else world.user_officer,
            file_name="a.pdf",
        )
        entry.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
        log_event(world.user_department, "action_item.progress", item, summary=f"进展{k}")
        log_event(admin, "meeting.agenda_added", meeting, summary=f"议题{k}")


PAGES = [
    ("bureau", "meetings:list", None, ""),
    ("city", "meetings:list", None, ""),
    ("bureau", "meetings:create", None, ""),
    ("bureau", "meetings:detail", "meeting", ""),
    ("city", "meetings:detail", "meeting", ""),
    ("bureau", "meetings:edit", "meeting", ""),
    ("bureau", "meetings:decision_create", "meeting", ""),
    ("bureau", "meetings:joint_decision", "meeting", ""),
    ("bureau", "meetings:joint_decision", "meeting", "project"),
    ("bureau", "meetings:board", None, ""),
    ("supervisor", "meetings:board", None, "?overdue=on&sort=number"),
    ("city", "meetings:board", None, ""),
    ("department", "meetings:worklist", None, ""),
    ("supervisor", "meetings:action_item_create", None, ""),
    ("department", "meetings:action_item", "item", ""),
    ("supervisor", "meetings:action_item", "item", ""),
    ("supervisor", "meetings:action_item_edit", "item", ""),
]


def _count(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "route", "kind", "query"),
    [pytest.param(*page, id=f"{page[0]}-{page[1]}{page[3]}") for page in PAGES],
)
def test_page_query_count_does_not_grow(client_for, world, main, who, route, kind, query):
    meeting, item = main
    args = {"meeting": [meeting.pk], "item": [item.pk]}.get(kind, [])
    url = reverse(route, args=args)
    if query == "project":
        url += f"?project={world.project1_a.pk}"
    else:
        url += query
    client = client_for(who)
    grow(world, main, 3)
    small = _count(client, url)
    grow(world, main, 27)
    large = _count(client, url)
    print(f"\n{route}{query}: {small} queries for 3 rows, {large} for 30")
    assert large == small


def test_export_query_count_does_not_grow(client_for, world, main):
    client = client_for("bureau")
    url = reverse("meetings:board_export")
    grow(world, main, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(world, main, 27)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("who", ["bureau", "city"])
@pytest.mark.parametrize("resource", ["meetings", "action-items"])
def test_api_list_query_count_does_not_grow(client_for, world, main, who, resource):
    client = client_for(who)
    url = f"/api/v1/{resource}/"

    def count(rows: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 500})
        assert response.status_code == 200
        assert response.json()["count"] == rows
        return len(ctx.captured_queries)

    # Each grown row adds a meeting, or two items of a decision and one assigned directly.
    per_row = 1 if resource == "meetings" else 3
    grow(world, main, 3)
    small = count(1 + 3 * per_row)
    grow(world, main, 27)
    large = count(1 + 30 * per_row)
    print(f"\n/api/v1/{resource}/ ({who}): {small} queries for 3 rows, {large} for 30")
    assert large == small
