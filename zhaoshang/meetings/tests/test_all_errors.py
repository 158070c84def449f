"""Every form of the meetings reports all its problems at once, each by its field, and
writes nothing (issue 16, point 11): a meeting scheduled or edited, a decision and a joint
decision with their action items."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.models import ApprovalItem, JointDecision
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus
from zhaoshang.meetings.models import ActionItem, ActionProgress, Decision, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting, row


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_scheduling_names_every_bad_field_and_writes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.schedule_meeting(
            world.user_bureau,
            district=world.district_a,
            kind="party",  # not a kind of meeting
            title="  ",
            held_on=None,
            chair=world.user_department,  # not a leader
            departments=[world.dept_works_b],  # another district's
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "title", "held_on", "chair", "departments"}
    assert errors["kind"] == ["Choose the kind of meeting."]
    assert errors["title"] == ["Give the meeting's title."]
    assert errors["held_on"] == ["Give the date of the meeting."]
    assert "cannot chair it" in errors["chair"][0]
    assert not Meeting.objects.exists()


def test_scheduling_refusals_read_in_chinese(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.schedule_meeting(
            world.user_bureau,
            district=world.district_a,
            kind="party",
            title="",
            held_on=None,
            chair=world.user_leader,
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "title", "held_on"}
    for messages in errors.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in messages[0]), messages


def test_editing_names_every_bad_change_and_keeps_the_meeting(world):
    meeting = make_meeting(world)
    version = meeting.version
    with pytest.raises(ValidationError) as exc:
        services.update_meeting(
            world.user_bureau,
            meeting,
            {
                "kind": "party",
                "title": "",
                "held_on": None,
                "chair": world.user_department,
                "number": "HY-1",  # not a field that changes
            },
        )
    assert set(exc.value.message_dict) == {"kind", "title", "held_on", "chair", "number"}
    meeting.refresh_from_db()
    assert (meeting.version, meeting.kind, meeting.title) == (version, "joint", "项目推进联席会议")


def test_a_decision_names_its_fields_and_its_rows_at_once(world):
    meeting = make_meeting(world)
    other = make_meeting(world, projects=[world.project1_a])
    with pytest.raises(services.ActionItemRowsError) as exc:
        services.record_decision(
            world.user_bureau,
            meeting,
            text="",
            agenda_item=other.agenda_items.get(),  # another meeting's
            action_items=[row(world.dept_works_a), row(None)],  # the second has no owner
        )
    assert set(exc.value.others) == {"text", "agenda_item"}
    assert list(exc.value.rows) == [1]
    assert "owner_department" in exc.value.rows[1].message_dict
    errors = exc.value.message_dict
    assert {"text", "agenda_item", "action_items"} <= set(errors)
    assert errors["action_items"][0].startswith("Action item 2:")
    assert not Decision.objects.exists() and not ActionItem.objects.exists()


@pytest.fixture
def pair(world):
    items = ApprovalItem.objects.filter(district=world.district_a)
    return [
        approvals.register_case(world.user_service_center, world.project1_a, items.get(code=code))
        for code in ("XM-01", "XM-05")
    ]


def test_a_joint_decision_names_project_number_and_rows_at_once(world, pair):
    meeting = make_meeting(world)
    with pytest.raises(services.ActionItemRowsError) as exc:
        services.record_joint_decision(
            world.user_leader,
            meeting,
            project=world.project1_b,  # another district's
            cases=pair,
            minutes_number="",  # the meeting has none either
            action_items=[row(None)],
        )
    assert set(exc.value.others) == {"project", "minutes_number"}
    assert list(exc.value.rows) == [0]
    assert not JointDecision.objects.exists() and not Decision.objects.exists()
    meeting.refresh_from_db()
    assert meeting.minutes_number == ""


def test_a_joint_decision_without_rows_still_names_every_field(world, pair):
    meeting = make_meeting(world, projects=[world.project2_a])
    with pytest.raises(ValidationError) as exc:
        services.record_joint_decision(
            world.user_leader,
            meeting,
            project=world.project1_a,
            cases=pair,
            agenda_item=meeting.agenda_items.get(),  # about project2_a
            minutes_number=" ",
        )
    assert set(exc.value.message_dict) == {"agenda_item", "minutes_number"}
    assert not JointDecision.objects.exists()


def test_the_joint_decision_api_answers_fields_and_rows_in_one_response(world, client_for, pair):
    meeting = make_meeting(world, projects=[world.project2_a])
    response = client_for("leader").post(
        f"/api/v1/meetings/{meeting.pk}/joint-decision/",
        {
            "project": world.project1_a.pk,
            "cases": [c.pk for c in pair],
            "agenda_item": meeting.agenda_items.get().pk,  # about project2_a
            "minutes_number": "",  # the meeting has none either
            "action_items": [
                {"title": "复核", "owner_department": world.dept_works_a.pk, "due_workdays": 5},
                {"title": "接电", "due_workdays": 5},  # no owner department
            ],
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400, response.json()
    data = response.json()
    assert set(data) == {"agenda_item", "minutes_number", "action_items"}
    assert data["action_items"][0] == {} and "owner_department" in data["action_items"][1]
    for messages in (data["agenda_item"], data["minutes_number"]):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in messages[0]), messages  # Chinese
    assert not JointDecision.objects.exists() and not Decision.objects.exists()
    meeting.refresh_from_db()
    assert meeting.minutes_number == ""


def test_the_minutes_name_every_bad_field_and_keep_the_meeting_open(world):
    meeting = make_meeting(world)  # held on Friday 12 June
    with pytest.raises(ValidationError) as exc:
        services.issue_minutes(
            world.user_bureau,
            meeting,
            minutes="",
            minutes_number=" ",
            issued_on=datetime.date(2026, 6, 11),  # before the meeting
        )
    assert set(exc.value.message_dict) == {"minutes", "minutes_number", "minutes_issued_on"}
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_number) == ("planned", "")


def test_progress_and_completion_name_every_bad_field(world):
    item = make_item(world)
    lying = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as exc:
        services.report_progress(
            world.user_department, item, " ", datetime.date(2026, 6, 16), attachment=lying
        )
    assert set(exc.value.message_dict) == {"text", "recorded_on", "file"}
    with pytest.raises(ValidationError) as exc:
        services.complete_action_item(
            world.user_department, item, "", None, datetime.date(2026, 6, 16)
        )
    assert set(exc.value.message_dict) == {"text", "completed_on", "evidence"}
    assert not ActionProgress.objects.exists()
    item.refresh_from_db()
    assert item.status == ActionStatus.NOT_STARTED


def test_sending_back_names_the_reason_and_the_due_date_together(world):
    item = make_item(world)
    evidence = SimpleUploadedFile("办结报告.pdf", b"%PDF-1.4\n%%EOF\n")
    services.complete_action_item(world.user_department, item, "已办结", evidence)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.return_action_item(
            world.user_supervisor, item, reason="", due_on=datetime.date(2026, 6, 1)
        )
    assert set(exc.value.message_dict) == {"reason", "due_on"}
    item.refresh_from_db()
    assert item.status == ActionStatus.AWAITING_CONFIRMATION
