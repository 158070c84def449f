"""``/api/v1/meetings/`` and ``/api/v1/action-items/`` (SPEC §19): writes through the
services, 400 keyed by field, 403 outside the caller's rights, 404 outside the scope, 409
for a stale version, paginated ``count``/``results``."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.meetings.choices import ActionStatus, MeetingStatus
from zhaoshang.meetings.models import ActionItem, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting

MEETINGS = "/api/v1/meetings/"
ITEMS = "/api/v1/action-items/"


@pytest.fixture(autouse=True)
def english():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def api_for(client_for):
    class JsonClient:
        def __init__(self, client):
            self.client = client

        def get(self, url, data=None):
            return self.client.get(url, data, HTTP_ACCEPT_LANGUAGE="en")

        def post_files(self, url, data):
            return self.client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

        def __getattr__(self, method):  # post, put, patch, delete
            def send(url, data=None):
                return getattr(self.client, method)(
                    url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
                )

            return send

    return lambda username: JsonClient(client_for(username))


def test_create_an_action_item(world, api_for):
    api = api_for("supervisor")
    response = api.post(
        ITEMS,
        {
            "title": "督促施工用电接入",
            "owner_department": world.dept_works_a.pk,
            "owner_person": world.user_officer.pk,
            "due_workdays": 5,
            "project": world.project1_a.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "DB-2026-0001"
    assert (body["due_on"], body["days_left"], body["light"], body["status"]) == (
        "2026-06-23",
        5,
        "green",
        "not_started",
    )
    assert body["source"] == "supervision" and body["owner_department_name"] == "区建设局"
    listed = api.get(ITEMS).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x", "due_workdays": 5}, "owner_department"),
        ({"title": "x", "owner_department": "DEPT"}, "due_on"),
        ({"title": "x", "owner_department": "DEPT", "due_on": "2026-06-01"}, "due_on"),
        ({"title": "x", "owner_department": "DEPT", "due_workdays": 0}, "due_workdays"),
        (
            {"title": "x", "owner_department": "DEPT", "due_workdays": 3, "owner_person": "OUT"},
            "owner_person",
        ),
        ({"title": "x", "owner_department": "OTHER", "due_workdays": 3}, "owner_department"),
    ],
)
def test_bad_input_is_400_keyed_by_field(world, api_for, payload, field):
    values = {
        "DEPT": world.dept_land_a.pk,
        "OUT": world.user_officer.pk,
        "OTHER": world.dept_works_b.pk,
    }
    payload = {k: values.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    response = api_for("supervisor").post(ITEMS, payload)
    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("who", ["department", "bureau", "service_center", "park", "city"])
def test_who_may_not_assign(world, api_for, who):
    response = api_for(who).post(
        ITEMS, {"title": "x", "owner_department": world.dept_works_a.pk, "due_workdays": 3}
    )
    assert response.status_code == 403


def test_update_with_versions(world, api_for):
    item = make_item(world)
    api = api_for("supervisor")
    url = f"{ITEMS}{item.pk}/"
    body = api.get(url).json()
    stale = {**body, "version": 99, "due_workdays": None, "due_on": "2026-07-01"}
    assert api.put(url, stale).status_code == 409
    response = api.put(url, {**body, "due_workdays": None, "due_on": "2026-07-01"})
    assert response.status_code == 200, response.json()
    assert response.json()["due_on"] == "2026-07-01" and response.json()["due_workdays"] is None
    response = api.patch(url, {"owner_department": world.dept_land_a.pk})
    assert response.status_code == 200 and response.json()["owner_department_name"] == "区国土局"
    assert api.put(url, {"title": "x"}).status_code == 400  # PUT needs the version
    assert api_for("department").patch(url, {"title": "y"}).status_code == 403
    assert api_for("supervisor_b").patch(url, {"title": "y"}).status_code == 404
    assert api.delete(url).status_code == 405


def test_the_actions(world, api_for):
    item = make_item(world)
    url = f"{ITEMS}{item.pk}/"
    department = api_for("department")
    response = department.post(url + "progress/", {"text": "已对接供电公司", "version": 1})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = department.post(url + "complete/", {"text": "已办结"})
    assert response.status_code == 400 and list(response.json()) == ["evidence"]
    response = department.post_files(
        url + "complete/",
        {"text": "已办结", "evidence": SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 x")},
    )
    assert response.status_code == 200 and response.json()["status"] == "awaiting"
    assert department.post(url + "close/", {}).status_code == 403
    supervisor = api_for("supervisor")
    response = supervisor.post(url + "return/", {"reason": "缺验收单原件", "due_on": "2026-06-30"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["due_on"]) == ("returned", "2026-06-30")
    response = supervisor.post(url + "close/", {})
    assert response.status_code == 400 and list(response.json()) == ["status"]
    assert supervisor.post(url + "progress/", {"text": "x", "version": 99}).status_code == 403
    assert department.post(url + "progress/", {"text": "x", "version": 1}).status_code == 409


def test_filters(world, api_for):
    open_item = make_item(world)
    other = make_item(world, owner=world.dept_land_a, due_workdays=20)
    ActionItem.objects.filter(pk=other.pk).update(status=ActionStatus.CLOSED)
    api = api_for("bureau")

    def ids(**params):
        return {row["id"] for row in api.get(ITEMS, params).json()["results"]}

    assert ids(owner_department=world.dept_land_a.pk) == {other.pk}
    assert ids(status="not_started") == {open_item.pk}
    assert ids(light="green") == {open_item.pk}
    assert ids(overdue="true") == set()
    assert ids(overdue="false") == {open_item.pk, other.pk}
    assert api.get(ITEMS, {"owner_department": world.dept_works_b.pk}).status_code == 400


def test_schedule_a_meeting_and_record_a_decision(world, api_for):
    api = api_for("bureau")
    response = api.post(
        MEETINGS,
        {
            "kind": "coordination",
            "title": "项目用地协调会",
            "held_on": "2026-06-15",
            "chair": world.user_leader.pk,
            "departments": [world.dept_land_a.pk],
            "attendees": [world.user_department.pk],
            "projects": [world.project1_a.pk],
            "topics": ["用地指标"],
        },
    )
    assert response.status_code == 201, response.json()
    meeting = response.json()
    assert meeting["number"] == "HY-2026-0001" and meeting["status"] == "planned"
    assert [a["subject"] for a in meeting["agenda"]] == [str(world.project1_a), "用地指标"]
    url = f"{MEETINGS}{meeting['id']}/"
    agenda_id = meeting["agenda"][0]["id"]
    refused = api.post(
        url + "decisions/",
        {
            "text": "限期办结",
            "agenda_item": agenda_id,
            "action_items": [
                {
                    "title": "完成红线复核",
                    "owner_department": world.dept_land_a.pk,
                    "due_workdays": 5,
                },
                {"title": "无牵头部门", "due_workdays": 5},
            ],
        },
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "action_items": [
            {},
            {
                "owner_department": [
                    "Choose the owner department: an action item needs a department that "
                    "answers for it."
                ]
            },
        ]
    }
    response = api.post(
        url + "decisions/",
        {
            "text": "限期办结",
            "agenda_item": agenda_id,
            "action_items": [
                {
                    "title": "完成红线复核",
                    "owner_department": world.dept_land_a.pk,
                    "due_workdays": 5,
                }
            ],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "held" and len(body["decisions"]) == 1
    (item_id,) = body["decisions"][0]["action_items"]
    assert ActionItem.objects.get(pk=item_id).project == world.project1_a
    response = api.post(
        url + "minutes/", {"minutes": "纪要", "minutes_number": "东府纪〔2026〕3号"}
    )
    assert response.status_code == 200 and response.json()["status"] == "minutes_issued"
    assert api.patch(url, {"title": "改名"}).status_code == 400


def test_meeting_rights_and_errors(world, api_for):
    meeting = make_meeting(world, held_on=datetime.date(2026, 6, 20))
    url = f"{MEETINGS}{meeting.pk}/"
    assert api_for("department").patch(url, {"title": "x"}).status_code == 403
    assert api_for("department").post(url + "held/", {}).status_code == 403
    assert api_for("bureau_b").get(url).status_code == 404
    response = api_for("bureau").post(url + "held/", {})
    assert response.status_code == 400 and list(response.json()) == ["status"]
    response = api_for("bureau").post(
        MEETINGS,
        {"kind": "joint", "title": "x", "held_on": "2026-06-20", "chair": world.user_bureau.pk},
    )
    assert response.status_code == 400 and list(response.json()) == ["chair"]
    response = api_for("bureau").patch(url, {"place": "现场", "version": 5})
    assert response.status_code == 409
    assert api_for("department").post(MEETINGS, {}).status_code == 403
    assert Meeting.objects.count() == 1


def test_joint_decision_through_the_api(world, api_for):
    items = ApprovalItem.objects.filter(district=world.district_a)
    pair = [
        approvals.register_case(world.user_service_center, world.project1_a, items.get(code=code))
        for code in ("XM-01", "XM-05")
    ]
    meeting = make_meeting(world)
    url = f"{MEETINGS}{meeting.pk}/joint-decision/"
    payload = {"project": world.project1_a.pk, "cases": [c.pk for c in pair]}
    response = api_for("leader").post(url, payload)
    assert response.status_code == 400 and list(response.json()) == ["minutes_number"]
    response = api_for("leader").post(url, {**payload, "minutes_number": "东府纪〔2026〕5号"})
    assert response.status_code == 201
    decision = response.json()["decisions"][0]
    assert decision["joint_decision"] is not None
    assert response.json()["status"] == MeetingStatus.HELD
    assert api_for("supervisor").post(url, payload).status_code == 403
