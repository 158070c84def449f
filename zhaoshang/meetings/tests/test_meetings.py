"""Meetings through their life: scheduling (escalated problems go on the agenda), the
agenda, editing, holding, the minutes — and who may do it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import MeetingStatus
from zhaoshang.meetings.models import AgendaItem, Meeting
from zhaoshang.meetings.tests.factories import make_meeting, row
from zhaoshang.notifications.models import Notification
from zhaoshang.service import services as service_services


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def escalated(world):
    """Two problems of project1_a that 建设局 could not solve, and one still with it."""
    needs = []
    for title in ("施工用电迟迟未接入", "临时道路占道审批", "围墙建设许可"):
        needs.append(
            service_services.raise_need(
                world.user_secretary,
                world.project1_a,
                category="utilities",
                title=title,
                description=title,
                department=world.dept_works_a,
                due_workdays=5,
            )
        )
    for need in needs[:2]:
        service_services.escalate_need(world.user_department, need, "多次协调未果，提请联席会议")
    return needs


def test_scheduling_puts_the_escalated_problems_on_the_agenda(world, escalated):
    meeting = make_meeting(
        world,
        needs=None,
        projects=[world.project2_a],
        cases=[world.case_a],
        topics=["园区配套道路建设", " "],
        departments=[world.dept_works_a, world.dept_land_a],
        attendees=[world.user_department, world.user_supervisor],
        starts_at=datetime.time(9, 30),
    )
    assert meeting.number == "HY-2026-0001" and meeting.status == MeetingStatus.PLANNED
    subjects = [
        (a.order, a.need_id, a.case_id, a.project_id, a.topic) for a in meeting.agenda_items.all()
    ]
    assert subjects == [
        (1, escalated[0].pk, None, world.project1_a.pk, ""),
        (2, escalated[1].pk, None, world.project1_a.pk, ""),
        (3, None, world.case_a.pk, world.project1_a.pk, ""),
        (4, None, None, world.project2_a.pk, ""),
        (5, None, None, None, "园区配套道路建设"),
    ]
    told = Notification.objects.filter(verb="meeting.scheduled")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "leader",
        "department",
        "supervisor",
    }
    assert DomainEvent.objects.for_object(meeting).get().verb == "meeting.scheduled"
    # Problems already on a coming meeting's agenda are not taken up twice.
    assert list(services.escalated_needs(world.district_a)) == []
    assert not make_meeting(world, needs=None).agenda_items.exists()


def test_problems_come_back_after_the_minutes_if_still_escalated(world, escalated):
    meeting = make_meeting(world, needs=None)
    services.issue_minutes(
        world.user_bureau, meeting, minutes="纪要", minutes_number="东府纪〔2026〕1号"
    )
    assert set(services.escalated_needs(world.district_a)) == set(escalated[:2])


def test_the_chair_is_a_leader_of_the_district(world):
    for chair in (world.user_bureau, world.user_leader_b):
        with pytest.raises(ValidationError) as exc:
            make_meeting(world, chair=chair)
        assert "the chair must be a leader" in exc.value.message_dict["chair"][0]
    with pytest.raises(ValidationError) as exc:
        make_meeting(world, attendees=[world.user_enterprise, world.user_bureau_b])
    assert exc.value.message_dict == {
        "attendees": ["Not staff of the district: Enterprise、Bureau_B."]
    }
    assert not Meeting.objects.exists()


def test_who_schedules(world):
    for username in ("department", "service_center", "park", "city", "enterprise", "outsider"):
        with pytest.raises(PermissionDenied):
            services.schedule_meeting(
                getattr(world, f"user_{username}"),
                district=world.district_a,
                kind="joint",
                title="x",
                held_on=day("2026-06-20"),
                chair=world.user_leader,
                needs=[],
            )
    for username in ("bureau", "leader", "supervisor", "admin"):
        services.schedule_meeting(
            getattr(world, f"user_{username}"),
            district=world.district_a,
            kind="coordination",
            title="x",
            held_on=day("2026-06-20"),
            chair=world.user_manager,
            needs=[],
        )
    assert Meeting.objects.count() == 4


def test_agenda_items_need_a_subject_and_are_not_repeated(world):
    meeting = make_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.add_agenda_item(world.user_bureau, meeting, topic=" ")
    assert list(exc.value.message_dict) == ["topic"]
    services.add_agenda_item(world.user_bureau, meeting, case=world.case_a, note="互为前置")
    with pytest.raises(ValidationError):
        services.add_agenda_item(world.user_bureau, meeting, case=world.case_a)
    with pytest.raises(ValidationError) as exc:
        services.add_agenda_item(world.user_bureau, meeting, case=world.case_b)
    assert exc.value.message_dict == {"case": ["This record belongs to another district."]}
    item = meeting.agenda_items.get()
    assert item.project == world.project1_a
    services.remove_agenda_item(world.user_bureau, item)
    assert not AgendaItem.objects.exists()


def test_editing_a_meeting(world):
    meeting = make_meeting(world, held_on=day("2026-06-18"))
    services.update_meeting(
        world.user_supervisor,
        meeting,
        {"held_on": day("2026-06-22"), "place": "项目现场", "kind": "on_site"},
        expected_version=1,
    )
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.place, meeting.kind, meeting.version) == (
        day("2026-06-22"),
        "项目现场",
        "on_site",
        2,
    )
    with pytest.raises(ConcurrentEditError):
        services.update_meeting(world.user_bureau, meeting, {"title": "y"}, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.update_meeting(world.user_department, meeting, {"title": "y"})


def test_held_not_before_its_day(world):
    meeting = make_meeting(world, held_on=day("2026-06-16"))
    with pytest.raises(ValidationError) as exc:
        services.mark_held(world.user_bureau, meeting)
    assert "2026-06-16" in exc.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        services.record_decision(
            world.user_bureau, meeting, text="x", action_items=[row(world.dept_works_a)]
        )
    past = make_meeting(world)
    services.mark_held(world.user_bureau, past)
    past.refresh_from_db()
    assert past.status == MeetingStatus.HELD


def test_minutes_close_the_record(world):
    meeting = make_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.issue_minutes(world.user_bureau, meeting, minutes=" ", minutes_number="")
    assert list(exc.value.message_dict) == ["minutes", "minutes_number"]  # both at once
    with pytest.raises(ValidationError) as exc:
        services.issue_minutes(
            world.user_bureau,
            meeting,
            minutes="纪要正文",
            minutes_number="东府纪〔2026〕7号",
            minutes_file=SimpleUploadedFile("纪要.exe", b"MZ"),
        )
    assert list(exc.value.message_dict) == ["minutes_file"]
    services.issue_minutes(
        world.user_bureau,
        meeting,
        minutes="纪要正文",
        minutes_number="东府纪〔2026〕7号",
        minutes_file=SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes"),
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_ISSUED and meeting.is_final
    assert meeting.minutes_issued_on == day("2026-06-15")
    assert meeting.minutes_file_name == "纪要.pdf"
    verbs = list(
        DomainEvent.objects.for_object(meeting).order_by("id").values_list("verb", flat=True)
    )
    assert verbs == ["meeting.scheduled", "meeting.held", "meeting.minutes_issued"]
    for attempt in (
        lambda: services.record_decision(
            world.user_bureau, meeting, text="x", action_items=[row(world.dept_works_a)]
        ),
        lambda: services.add_agenda_item(world.user_bureau, meeting, topic="x"),
        lambda: services.update_meeting(world.user_bureau, meeting, {"title": "x"}),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "minutes of this meeting are issued" in exc.value.message_dict["status"][0]
