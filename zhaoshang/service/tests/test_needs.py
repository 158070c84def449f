"""The problem list (问题清单): raised by the team with a time limit in working days,
worked by the assigned department, solved, closed or taken to a joint meeting; lights in SQL."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification
from zhaoshang.service import services
from zhaoshang.service.choices import NeedStatus, RaisedVia
from zhaoshang.service.models import Need
from zhaoshang.service.tests.conftest import day
from zhaoshang.workdays.services import add_workdays


def test_the_team_raises_a_need_due_in_working_days(world, raise_need):
    need = raise_need()
    assert need.number == "WT-2026-0001"
    assert need.raised_via == RaisedVia.TEAM and need.raised_by == world.user_secretary
    # 15 June + 5 working days, across the Dragon Boat holiday of 19 June 2026
    assert need.due_on == add_workdays(day("2026-06-15"), 5).date == day("2026-06-23")
    assert not need.due_is_provisional
    assert need.status == NeedStatus.PENDING
    assert DomainEvent.objects.for_object(need).get().verb == "need.raised"
    # the assigned department's handlers are told
    told = set(
        Notification.objects.filter(verb="need.assigned").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"department", "officer", "outsider"}


def test_the_bureau_may_raise_one_but_not_a_department_outsider(world, raise_need):
    assert raise_need(user=world.user_bureau).pk
    for who in ("outsider", "leader", "city", "bureau_b"):
        with pytest.raises(PermissionDenied):
            raise_need(user=getattr(world, f"user_{who}"))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"title": ""}, "title"),
        ({"description": " "}, "description"),
        ({"department": None}, "department"),
        ({"due_workdays": 0}, "due_workdays"),
        ({"due_workdays": None}, "due_workdays"),
        ({"due_workdays": 61}, "due_workdays"),
        ({"raised_on": day("2026-06-16")}, "raised_on"),
    ],
)
def test_bad_needs_are_refused_naming_the_field(raise_need, overrides, field):
    with pytest.raises(ValidationError) as caught:
        raise_need(**overrides)
    assert field in caught.value.error_dict
    assert not Need.objects.exists()


def test_a_department_of_another_district_is_refused(world, raise_need):
    with pytest.raises(ValidationError) as caught:
        raise_need(department=world.dept_works_b)
    assert "department" in caught.value.error_dict


def test_lights_come_from_the_working_days_left(world, raise_need):
    green = raise_need(due_workdays=10)
    yellow = raise_need(due_workdays=1)
    red = raise_need(raised_on=day("2026-06-01"), due_workdays=3)
    done = raise_need(raised_on=day("2026-06-01"), due_workdays=3)
    services.resolve_need(world.user_department, done, "已解决", day("2026-06-12"))
    lights = dict(Need.objects.with_days_left(day("2026-06-15")).values_list("pk", "light"))
    assert lights == {
        green.pk: Light.GREEN,
        yellow.pk: Light.YELLOW,
        red.pk: Light.RED,
        done.pk: Light.NONE,
    }
    left = Need.objects.with_days_left(day("2026-06-15")).get(pk=red.pk).days_left
    assert left < 0


def test_the_department_takes_it_up_and_solves_it(world, raise_need):
    need = raise_need()
    with pytest.raises(PermissionDenied):
        services.start_need(world.user_secretary, need)
    need = services.start_need(world.user_department, need)
    assert need.status == NeedStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.start_need(world.user_department, need)
    with pytest.raises(ValidationError) as caught:
        services.resolve_need(world.user_department, need, "")
    assert "resolution" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        services.resolve_need(world.user_department, need, "已接入", day("2026-06-01"))
    assert "resolved_on" in caught.value.error_dict
    need = services.resolve_need(world.user_department, need, "已完成临时用电接入")
    assert need.status == NeedStatus.RESOLVED and need.resolved_on == day("2026-06-15")
    assert Notification.objects.filter(
        recipient=world.user_secretary, verb="need.resolved"
    ).exists()
    with pytest.raises(ValidationError):
        services.escalate_need(world.user_secretary, need, "x")


def test_escalation_to_a_joint_meeting(world, raise_need):
    need = raise_need()
    with pytest.raises(PermissionDenied):
        services.escalate_need(world.user_supervisor, need, "需要会议")
    with pytest.raises(ValidationError) as caught:
        services.escalate_need(world.user_secretary, need, " ")
    assert "escalation_note" in caught.value.error_dict
    need = services.escalate_need(
        world.user_department, need, "涉及供电、国土两部门，需联席会议研究"
    )
    assert need.status == NeedStatus.ESCALATED
    assert need.escalated_on == day("2026-06-15") and need.escalated_by == world.user_department
    assert Need.objects.open().filter(pk=need.pk).exists()
    with pytest.raises(ValidationError) as caught:
        services.escalate_need(world.user_leader, need, "再次提交")
    assert "already" in caught.value.error_dict["status"][0].messages[0]
    # the manager (and designated leader) hears of it
    assert Notification.objects.filter(recipient=world.user_manager, verb="need.escalated").exists()
    # a meeting's decision solves it later
    need = services.resolve_need(world.user_secretary, need, "联席会议议定由供电公司先行接入")
    assert need.status == NeedStatus.RESOLVED


def test_closing_without_a_solution(world, raise_need):
    need = raise_need()
    with pytest.raises(PermissionDenied):
        services.close_need(world.user_department, need, "企业撤回")
    need = services.close_need(world.user_secretary, need, "企业已自行解决，撤回")
    assert need.status == NeedStatus.CLOSED and need.closed_on == day("2026-06-15")
    with pytest.raises(ValidationError):
        services.close_need(world.user_secretary, need, "again")


def test_editing_recomputes_the_due_date_and_checks_the_version(world, raise_need):
    need = raise_need()
    with pytest.raises(ValidationError) as caught:
        services.update_need(world.user_secretary, need, expected_version=9, due_workdays=8)
    assert caught.value.code == "concurrent_edit"
    need = services.update_need(
        world.user_secretary, need, expected_version=1, due_workdays=8, department=world.dept_land_a
    )
    assert need.due_on == add_workdays(day("2026-06-15"), 8).date
    assert need.version == 2
    with pytest.raises(ValidationError) as caught:
        services.update_need(world.user_secretary, need, status="closed")
    assert "status" in caught.value.error_dict


def test_a_due_date_in_an_unpublished_year_is_provisional_and_recomputed(
    world, raise_need, settings
):
    import datetime

    from zhaoshang.workdays import services as workdays

    settings.WORKDAY_RECOMPUTE_HOOKS = [
        *settings.WORKDAY_RECOMPUTE_HOOKS,
        "zhaoshang.service.services.recompute_provisional_due_dates",
    ]
    with time_machine.travel("2026-12-29 10:00 +0800", tick=False):
        need = raise_need(due_workdays=5)
    assert need.due_is_provisional
    assert need.due_on == day("2027-01-06")  # 2027-01-01 is 元旦 under the provisional rule
    entries = [
        (datetime.date(2027, 1, 1), "holiday", "元旦"),
        (datetime.date(2027, 1, 5), "holiday", "元旦"),
        (datetime.date(2027, 1, 6), "holiday", "元旦"),
        (datetime.date(2027, 1, 10), "workday", "元旦调休"),
    ]
    workdays.load_year(2027, entries, notice="国办发明电〔2026〕X号", status="published")
    need.refresh_from_db()
    assert not need.due_is_provisional
    assert need.due_on == add_workdays(day("2026-12-29"), 5).date == day("2027-01-08")
