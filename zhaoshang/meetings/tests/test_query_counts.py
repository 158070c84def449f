"""Query-count invariance of the meeting and supervision pages and API lists: 3 rows cost
as many queries as 30 (no query per row, per agenda item, decision, attendee or note).

The meeting and rows are made once for the module (``built_once_per_module``): 3 rows,
then every page's, the export's and each API list's count (each request in a savepoint of
its own, rolled back), then 27 more; each test counts again on the 30 rows, in its own
savepoint, and compares."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.audit import log_event
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, ProgressKind
from zhaoshang.meetings.models import ActionItem, ActionProgress, AgendaItem, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting, row
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need
from zhaoshang.testing.clients import SESSIONS, client_with_session
from zhaoshang.testing.shared import built_once_per_module

_serial = itertools.count(1)
STATUSES = [
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.AWAITING_CONFIRMATION,
    ActionStatus.RETURNED,
    ActionStatus.CLOSED,
]


def make_main(world):
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
    ("bureau", "meetings:board_print", None, ""),
    ("supervisor", "meetings:board_print", None, "?overdue=on&sort=number"),
    ("city", "meetings:board_print", None, ""),
    ("department", "meetings:worklist", None, ""),
    ("supervisor", "meetings:action_item_create", None, ""),
    ("department", "meetings:action_item", "item", ""),
    ("supervisor", "meetings:action_item", "item", ""),
    ("supervisor", "meetings:action_item_edit", "item", ""),
]


def _url(world, main, route, kind, query) -> str:
    meeting, item = main
    args = {"meeting": [meeting.pk], "item": [item.pk]}.get(kind, [])
    url = reverse(route, args=args)
    if query == "project":
        return url + f"?project={world.project1_a.pk}"
    return url + query


def _export_count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("meetings:board_export")).status_code == 200
    return len(ctx.captured_queries)


API_READERS = ["bureau", "city"]
API_LISTS = ["meetings", "action-items"]


def _api_count(client, resource: str, grown: int) -> int:
    # Each grown row adds a meeting, or two items of a decision and one assigned directly.
    per_row = 1 if resource == "meetings" else 3
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/{resource}/", {"page_size": 500})
    assert response.status_code == 200
    assert response.json()["count"] == 1 + grown * per_row
    return len(ctx.captured_queries)


def counts_on_3_rows(world) -> dict:
    """The meeting and 3 rows, every count (each request rolled back), 27 more rows."""
    main = make_main(world)
    grow(world, main, 3)
    pages, api = {}, {}

    def rolled_back(count, who, *args):
        with transaction.atomic():
            found = count(client_with_session(SESSIONS[who]), *args)
            transaction.set_rollback(True)
        return found

    for who, route, kind, query in PAGES:
        pages[who, route, query] = rolled_back(_count, who, _url(world, main, route, kind, query))
    export = rolled_back(_export_count, "bureau")
    for who in API_READERS:
        for resource in API_LISTS:
            api[who, resource] = rolled_back(_api_count, who, resource, 3)
    grow(world, main, 27)
    return {"main": main, "pages": pages, "export": export, "api": api}


globals().update(built_once_per_module(counts_on_3_rows))


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
def test_page_query_count_does_not_grow(matrix_objects, client_for, world, who, route, kind, query):
    small = matrix_objects["pages"][who, route, query]
    large = _count(client_for(who), _url(world, matrix_objects["main"], route, kind, query))
    print(f"\n{route}{query}: {small} queries for 3 rows, {large} for 30")
    assert large == small


def test_export_query_count_does_not_grow(matrix_objects, client_for):
    assert _export_count(client_for("bureau")) == matrix_objects["export"]


@pytest.mark.parametrize("who", API_READERS)
@pytest.mark.parametrize("resource", API_LISTS)
def test_api_list_query_count_does_not_grow(matrix_objects, client_for, who, resource):
    small = matrix_objects["api"][who, resource]
    large = _api_count(client_for(who), resource, 30)
    print(f"\n/api/v1/{resource}/ ({who}): {small} queries for 3 rows, {large} for 30")
    assert large == small
