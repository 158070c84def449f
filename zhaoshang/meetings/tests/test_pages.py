"""The meeting and supervision pages end to end: forms post to the services, errors show
next to their fields, the board and the worklist filter and order by days left."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, MeetingStatus
from zhaoshang.meetings.models import ActionItem, Decision, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting
from zhaoshang.service import services as service_services


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def items_shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-item="(\d+)"', response.content.decode())]


def test_scheduling_a_meeting_takes_up_the_escalated_problems(client_for, world):
    need = service_services.raise_need(
        world.user_secretary,
        world.project1_a,
        category="land",
        title="用地指标未落实",
        description="—",
        department=world.dept_land_a,
        due_workdays=5,
    )
    service_services.escalate_need(world.user_secretary, need, "需区政府协调")
    client = client_for("bureau")
    page = client.get(reverse("meetings:create"))
    assert "用地指标未落实" in page.content.decode()
    response = client.post(
        reverse("meetings:create"),
        {
            "kind": "joint",
            "title": "6月项目推进联席会议",
            "held_on": "2026-06-18",
            "starts_at": "09:30",
            "place": "区政府三楼会议室",
            "chair": world.user_leader.pk,
            "departments": [world.dept_works_a.pk, world.dept_land_a.pk],
            "attendees": [world.user_department.pk],
            "needs": [need.pk],
            "projects": [world.project2_a.pk],
            "topics": "园区道路配套\n",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert [a.subject for a in meeting.agenda_items.all()] == [
        str(need),
        str(world.project2_a),
        "园区道路配套",
    ]
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "用地指标未落实" in detail and "6月项目推进联席会议" in detail


def test_a_bad_meeting_form_says_why(client_for, world):
    response = client_for("bureau").post(
        reverse("meetings:create"),
        {"kind": "joint", "title": "", "held_on": "2026-06-18", "chair": world.user_bureau.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="title"' in html and 'data-field="chair"' in html
    assert not Meeting.objects.exists()


def _row_data(prefix: str, index: int, **values) -> dict:
    return {f"{prefix}-{index}-{key}": value for key, value in values.items()}


def test_recording_a_decision_with_its_action_items(client_for, world):
    meeting = make_meeting(world, projects=[world.project1_a])
    agenda = meeting.agenda_items.get()
    client = client_for("leader")
    url = reverse("meetings:decision_create", args=[meeting.pk])
    assert client.get(url + f"?agenda_item={agenda.pk}").status_code == 200
    data = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "agenda_item": agenda.pk,
        "text": "由区建设局、区国土局分别限期办结。",
        **_row_data(
            "items",
            0,
            title="接入施工用电",
            owner_department=world.dept_works_a.pk,
            due_workdays="5",
        ),
        **_row_data("items", 1, title="复核用地红线", owner_department="", due_on="2026-06-30"),
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    html = refused.content.decode()
    row_1 = html.split('data-row="1"')[1].split('data-row="2"')[0]
    assert 'data-field="owner_department"' in row_1
    assert "Choose the owner department" in row_1
    assert not Decision.objects.exists() and not ActionItem.objects.exists()
    data["items-1-owner_department"] = world.dept_land_a.pk
    response = client.post(url, data)
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert list(decision.action_items.order_by("id").values_list("title", "due_on")) == [
        ("接入施工用电", day("2026-06-23")),
        ("复核用地红线", day("2026-06-30")),
    ]
    detail = client.get(meeting.get_absolute_url()).content.decode()
    for item in decision.action_items.all():
        assert item.number in detail


def test_joint_decision_page(client_for, world):
    items = ApprovalItem.objects.filter(district=world.district_a)
    pair = [
        approvals.register_case(world.user_service_center, world.project1_a, items.get(code=code))
        for code in ("XM-01", "XM-05")
    ]
    meeting = make_meeting(world, cases=pair)
    client = client_for("leader")
    url = reverse("meetings:joint_decision", args=[meeting.pk])
    chooser = client.get(url).content.decode()
    assert world.project1_a.name in chooser and world.project2_a.name not in chooser
    form = client.get(url, {"project": world.project1_a.pk}).content.decode()
    assert "minutes_number" in form
    response = client.post(
        url,
        {
            "project": world.project1_a.pk,
            "cases": [c.pk for c in pair],
            "minutes_number": "东府纪〔2026〕9号",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.joint_decision.document_number == "东府纪〔2026〕9号"
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="joint"' in detail
    assert client.post(url, {"project": ""}).status_code == 400


def test_minutes_with_their_file(client_for, world):
    meeting = make_meeting(world)
    client = client_for("bureau")
    response = client.post(
        reverse("meetings:minutes", args=[meeting.pk]),
        {
            "version": meeting.version,
            "minutes_number": "东府纪〔2026〕7号",
            "minutes": "会议研究了项目推进中的问题。",
            "minutes_issued_on": "2026-06-15",
            "minutes_file": SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes"),
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_ISSUED
    download = client.get(reverse("meetings:minutes_file", args=[meeting.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_agenda_add_remove_held_and_edit(client_for, world):
    meeting = make_meeting(world)
    client = client_for("supervisor")
    response = client.post(reverse("meetings:agenda_add", args=[meeting.pk]), {"topic": "道路配套"})
    assert response.status_code == 302
    agenda = meeting.agenda_items.get()
    client.post(reverse("meetings:agenda_remove", args=[meeting.pk, agenda.pk]))
    assert not meeting.agenda_items.exists()
    response = client.post(reverse("meetings:held", args=[meeting.pk]), {"version": 1})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    response = client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "version": meeting.version,
            "kind": meeting.kind,
            "title": meeting.title,
            "held_on": "2026-06-12",
            "place": "项目现场",
            "chair": meeting.chair_id,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "项目现场"
    stale = client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "version": 1,
            "kind": meeting.kind,
            "title": "新标题",
            "held_on": "2026-06-12",
            "chair": meeting.chair_id,
        },
    )
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.content.decode()


def test_the_owner_reports_progress_and_completion_and_the_office_closes(client_for, world):
    item = make_item(world)
    department = client_for("department")
    page = department.get(item.get_absolute_url()).content.decode()
    assert 'data-action="progress"' in page and 'data-action="close"' not in page
    response = department.post(
        reverse("meetings:action_item_progress", args=[item.pk]),
        {"version": 1, "text": "已与供电公司对接", "recorded_on": "2026-06-15"},
    )
    assert response.status_code == 302
    refused = department.post(
        reverse("meetings:action_item_complete", args=[item.pk]),
        {"version": 2, "text": "已办结", "completed_on": "2026-06-15"},
    )
    assert refused.status_code == 400
    assert 'data-field="evidence"' in refused.content.decode()
    stale = department.post(
        reverse("meetings:action_item_complete", args=[item.pk]),
        {"version": 1, "text": "已办结", "completed_on": "2026-06-15"},
    )
    assert stale.status_code == 409
    response = department.post(
        reverse("meetings:action_item_complete", args=[item.pk]),
        {
            "version": 2,
            "text": "施工用电已接入",
            "completed_on": "2026-06-15",
            "evidence": SimpleUploadedFile("接电验收单.pdf", b"%PDF-1.4 accepted"),
        },
    )
    assert response.status_code == 302
    supervisor = client_for("supervisor")
    page = supervisor.get(item.get_absolute_url()).content.decode()
    assert "接电验收单.pdf" in page and 'data-action="close"' in page
    entry = item.progress.get(kind="completion")
    download = supervisor.get(reverse("meetings:action_item_file", args=[item.pk, entry.pk]))
    assert download.status_code == 200
    response = supervisor.post(
        reverse("meetings:action_item_close", args=[item.pk]),
        {"version": 3, "note": "经核实，已办结", "closed_on": "2026-06-15"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionStatus.CLOSED


def test_the_supervision_office_assigns_and_changes_an_item(client_for, world):
    client = client_for("supervisor")
    response = client.post(
        reverse("meetings:action_item_create"),
        {
            "title": "督促落实企业用工招聘",
            "owner_department": world.dept_works_a.pk,
            "owner_person": world.user_outsider.pk,
            "due_workdays": "10",
            "project": world.project1_a.pk,
        },
    )
    item = ActionItem.objects.get()
    assert response.status_code == 302 and item.due_on == day("2026-06-30")
    refused = client.post(
        reverse("meetings:action_item_create"),
        {
            "title": "x",
            "owner_department": world.dept_land_a.pk,
            "owner_person": world.user_outsider.pk,
            "due_workdays": "3",
        },
    )
    assert refused.status_code == 400
    assert "does not belong to 区国土局" in refused.content.decode()
    response = client.post(
        reverse("meetings:action_item_edit", args=[item.pk]),
        {
            "version": item.version,
            "title": item.title,
            "owner_department": world.dept_works_a.pk,
            "owner_person": world.user_outsider.pk,
            "start_on": "2026-06-15",
            "due_on": "2026-07-10",
            "project": world.project1_a.pk,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.due_on, item.due_workdays) == (day("2026-07-10"), None)


@pytest.fixture
def spread(world, _frozen_time):
    """Items of 建设局 and 国土局 due at different times, one overdue, one closed."""
    from zhaoshang.testing import SHANGHAI

    _frozen_time.move_to(datetime.datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI))
    overdue = make_item(world, title="逾期事项", due_workdays=2)
    _frozen_time.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI))
    soon = make_item(world, title="即将到期", due_workdays=1)
    later = make_item(world, title="时间充裕", due_workdays=15)
    other = make_item(world, owner=world.dept_land_a, title="国土局事项", due_workdays=3)
    closed = make_item(world, title="已销号", due_workdays=4)
    evidence = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    services.complete_action_item(world.user_department, closed, "已办结", evidence)
    services.close_action_item(world.user_supervisor, ActionItem.objects.get(pk=closed.pk))
    return {"overdue": overdue, "soon": soon, "later": later, "other": other, "closed": closed}


def test_the_board_orders_by_days_left_and_filters(client_for, world, spread):
    client = client_for("supervisor")
    page = client.get(reverse("meetings:board"))
    ids = items_shown(page)
    s = spread
    assert ids == [s["overdue"].pk, s["soon"].pk, s["other"].pk, s["later"].pk, s["closed"].pk]
    html = page.content.decode()
    assert 'data-testid="overdue-count">1<' in html
    assert items_shown(client.get(reverse("meetings:board"), {"overdue": "on"})) == [
        s["overdue"].pk
    ]
    assert items_shown(client.get(reverse("meetings:board"), {"light": "yellow"})) == [s["soon"].pk]
    assert items_shown(
        client.get(reverse("meetings:board"), {"department": world.dept_land_a.pk})
    ) == [s["other"].pk]
    assert items_shown(client.get(reverse("meetings:board"), {"status": "closed"})) == [
        s["closed"].pk
    ]
    assert items_shown(client.get(reverse("meetings:board"), {"q": "国土局事项"})) == [
        s["other"].pk
    ]
    by_number = items_shown(client.get(reverse("meetings:board"), {"sort": "-number"}))
    assert by_number == sorted(by_number, reverse=True)


def test_the_department_worklist(client_for, world, spread):
    page = client_for("department").get(reverse("meetings:worklist"))
    s = spread
    assert items_shown(page) == [s["overdue"].pk, s["soon"].pk, s["later"].pk]
    html = page.content.decode()
    assert 'data-light="red"' in html and 'data-light="yellow"' in html
    assert "working days overdue" in html or "working day overdue" in html
    closed = client_for("department").get(reverse("meetings:worklist"), {"status": "closed"})
    assert items_shown(closed) == [s["closed"].pk]
    # The approvals worklist of a department links to its action items.
    approvals_page = client_for("department").get(reverse("approvals:worklist")).content.decode()
    assert reverse("meetings:worklist") in approvals_page


def test_navigation(client_for):
    for who, board, worklist in (
        ("supervisor", True, False),
        ("leader", True, False),
        ("bureau", True, False),
        ("admin", True, False),
        ("department", False, True),
        ("service_center", False, False),
    ):
        html = client_for(who).get(reverse("home")).content.decode()
        nav = html.split('id="zs-nav"')[1].split('<ul class="navbar-nav align-items-lg-center">')[0]
        assert (reverse("meetings:board") in nav) is board, who
        assert (reverse("meetings:worklist") in nav) is worklist, who


def test_a_superuser_of_no_district_creates_nothing_here(client, world):
    from zhaoshang.org.models import User

    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("meetings:create")).status_code == 403
    assert client.get(reverse("meetings:action_item_create")).status_code == 403
    board = client.get(reverse("meetings:board"))
    assert board.status_code == 200
    assert reverse("meetings:action_item_create") not in board.content.decode()
