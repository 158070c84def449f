"""``create_action_item``, the contract the decisions, the instructions (service app) and
the supervision office share: its checks name the field and the reason, and a refused
item leaves nothing behind."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhaoshang.core.models import DomainEvent
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionSource, ActionStatus
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.tests.factories import make_item, make_meeting, row
from zhaoshang.notifications.models import Notification
from zhaoshang.workdays import services as workdays


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(world, **changes) -> dict[str, list[str]]:
    """Try to create an item with these changes; return the errors, and check that
    nothing was saved."""
    before = (ActionItem.objects.count(), DomainEvent.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as exc:
        make_item(world, **changes)
    after = (ActionItem.objects.count(), DomainEvent.objects.count(), Notification.objects.count())
    assert after == before
    return exc.value.message_dict


def test_an_item_due_in_working_days(world):
    item = make_item(world, due_workdays=5, project=world.project1_a)
    # 2026-06-19 is the Dragon Boat Festival: five working days after Monday 15 June.
    assert item.due_on == workdays.add_workdays(day("2026-06-15"), 5).date == day("2026-06-23")
    assert item.start_on == day("2026-06-15")
    assert item.due_workdays == 5 and not item.due_is_provisional
    assert item.number == "DB-2026-0001"
    assert item.status == ActionStatus.NOT_STARTED
    assert item.source == ActionSource.SUPERVISION
    assert item.assigned_by == world.user_supervisor
    later = make_item(world, due_workdays=None, due_on=day("2026-07-01"))
    assert (later.number, later.due_on, later.due_workdays) == (
        "DB-2026-0002",
        day("2026-07-01"),
        None,
    )


def test_the_owner_department_is_told(world):
    item = make_item(world)
    told = set(
        Notification.objects.filter(verb="action_item.created").values_list(
            "recipient__username", flat=True
        )
    )
    # Everybody of 建设局 (the department handler, the officer, the outsider), nobody else.
    assert told == {"department", "officer", "outsider"}
    assert DomainEvent.objects.for_object(item).get().verb == "action_item.created"


def test_the_person_in_charge_alone_is_told(world):
    make_item(world, owner_person=world.user_officer)
    told = Notification.objects.filter(verb="action_item.created")
    assert list(told.values_list("recipient__username", flat=True)) == ["officer"]


def test_a_provisional_due_date_is_marked(world):
    """Working days reaching into a year whose arrangement is not published."""
    item = make_item(world, start_on=day("2026-12-20"), due_workdays=20)
    assert item.due_is_provisional
    assert item.due_on == workdays.add_workdays(day("2026-12-20"), 20).date


def test_without_an_owner_department(world):
    errors = refused(world, owner_department=None)
    assert errors == {
        "owner_department": [
            "Choose the owner department: an action item needs a department that answers for it."
        ]
    }


def test_owner_person_outside_the_department(world):
    errors = refused(world, owner_department=world.dept_land_a, owner_person=world.user_officer)
    assert list(errors) == ["owner_person"]
    assert errors["owner_person"] == [
        "Officer does not belong to 区国土局: the person in charge must be one of the owner "
        "department's people."
    ]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"due_workdays": None}, "Give the due date, or the number of working days"),
        ({"due_on": day("2026-07-01")}, "either a due date or a number of working days, not both"),
        ({"due_workdays": None, "due_on": day("2026-06-12")}, "2026-06-12 has already passed"),
        (
            {"due_workdays": None, "due_on": day("2026-06-20"), "start_on": day("2026-06-25")},
            "before the start date 2026-06-25",
        ),
    ],
)
def test_due_date_problems(world, changes, reason):
    errors = refused(world, **changes)
    assert list(errors) == ["due_on"]
    assert reason in errors["due_on"][0]


def test_zero_working_days(world):
    assert list(refused(world, due_workdays=0)) == ["due_workdays"]


def test_every_problem_is_named_at_once(world):
    errors = refused(world, title=" ", owner_department=None, due_workdays=None)
    assert set(errors) == {"title", "owner_department", "due_on"}


def test_records_of_another_district(world):
    errors = refused(world, owner_department=world.dept_works_b, project=world.project1_b)
    assert set(errors) == {"owner_department", "project"}


def test_due_date_before_the_meeting(world):
    meeting = make_meeting(world, held_on=day("2026-06-15"))
    with pytest.raises(ValidationError) as exc:
        services.record_decision(
            world.user_bureau,
            meeting,
            text="限期完成",
            action_items=[row(world.dept_works_a, due_workdays=None, due_on=day("2026-06-12"))],
        )
    (message,) = exc.value.message_dict["action_items"]
    assert message == (
        "Action item 1: The due date 2026-06-12 is before the meeting of 2026-06-15 that "
        "decided the action item."
    )
    assert not meeting.decisions.exists() and not ActionItem.objects.exists()


def test_who_may_assign(world):
    for username in ("department", "park", "city", "service_center", "bureau_b"):
        with pytest.raises(PermissionDenied):
            make_item(world, by=getattr(world, f"user_{username}"))
    for username in ("supervisor", "leader", "admin"):
        make_item(world, by=getattr(world, f"user_{username}"))
    assert ActionItem.objects.count() == 3


def test_a_due_date_outside_the_calendar(world):
    errors = refused(world, due_workdays=None, due_on=day("2150-01-01"))
    assert list(errors) == ["due_on"] and "outside the working-day calendar" in errors["due_on"][0]
