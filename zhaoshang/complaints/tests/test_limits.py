"""Time limits per category (SPEC §9, "configurable per category"): the dispatch and the
reopening use the district's ``ComplaintLimit`` for the category, else 1 and 5 working days;
the dates are counted on the seeded calendar across 国庆 and 春节; limits stay within 1..30
and one category has one row per district (the admin page says so)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.models import ComplaintLimit
from zhaoshang.complaints.tests.factories import make_complaint

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _limit(world, tag="a", category="fines", accept=2, answer=10):
    return ComplaintLimit.objects.create(
        district=getattr(world, f"district_{tag}"),
        category=category,
        accept_workdays=accept,
        answer_workdays=answer,
    )


def test_without_a_limit_the_general_one_and_five_working_days(world):
    # Monday 2026-06-15: +1 → Tuesday; +5 → Monday 22 June (端午节 Friday 19 June is off).
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    assert (complaint.accept_by, complaint.answer_by) == (D(2026, 6, 16), D(2026, 6, 23))
    assert (complaint.accept_workdays, complaint.answer_workdays) == (1, 5)
    assert complaint.answer_from == complaint.dispatched_on
    assert not complaint.dates_provisional


def test_the_districts_limit_for_the_category_is_used(world):
    _limit(world, accept=2, answer=10)
    _limit(world, category="attitude", accept=3, answer=3)  # another category
    _limit(world, "b", accept=5, answer=20)  # another district
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    assert (complaint.accept_workdays, complaint.answer_workdays) == (2, 10)
    # Monday 15 June + 2 → Wednesday 17; + 10 → 30 June (19 June off).
    assert complaint.accept_by == D(2026, 6, 17)
    assert complaint.answer_by == D(2026, 6, 30)
    assert complaint.due_on == complaint.accept_by
    other = services.dispatch_complaint(
        world.user_supervisor, make_complaint(world, category="efficiency")
    )
    assert (other.accept_workdays, other.answer_workdays) == (1, 5)


def test_one_query_for_the_limit_per_dispatch(world):
    _limit(world)
    complaint = make_complaint(world)
    with CaptureQueriesContext(connection) as ctx:
        services.dispatch_complaint(world.user_supervisor, complaint)
    limit_queries = [q for q in ctx.captured_queries if "complaints_complaintlimit" in q["sql"]]
    assert len(limit_queries) == 1


def test_the_reopening_uses_the_categorys_answer_limit(world):
    _limit(world, accept=1, answer=8)
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    complaint = services.accept_complaint(world.user_department, complaint)
    complaint = services.answer_complaint(
        world.user_department, complaint, department_view="unfounded", account="无此事。"
    )
    complaint = services.verify_complaint(
        world.user_supervisor,
        complaint,
        outcome="unfounded",
        finding_reason="核实无此事。",
        answer="经核实，无此事。",
    )
    with time_machine.travel("2026-09-30 10:00 +0800", tick=False):
        complaint = services.rate_complaint(
            world.user_supervisor, complaint, rating="dissatisfied", reason="答复没有解决问题。"
        )
    # Wednesday 30 September + 8 working days, across 国庆 (1–7 October off, Saturday 10
    # October worked): 8, 9, 10, 12, 13, 14, 15, 16 October.
    assert complaint.answer_from == D(2026, 9, 30)
    assert complaint.answer_by == complaint.due_on == D(2026, 10, 16)
    # The accept-by date of the first round stays.
    assert complaint.accept_by == D(2026, 6, 16)


@pytest.mark.parametrize(
    ("now", "accept_by", "answer_by"),
    [
        # 国庆: 1–7 October off, Saturday 10 October worked.
        ("2026-09-30 10:00 +0800", D(2026, 10, 8), D(2026, 10, 13)),
        # 春节: Saturday 14 February worked, 15–23 February off.
        ("2026-02-13 10:00 +0800", D(2026, 2, 14), D(2026, 2, 27)),
    ],
)
def test_deadlines_across_the_holidays(world, now, accept_by, answer_by):
    with time_machine.travel(now, tick=False):
        complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    assert (complaint.accept_by, complaint.answer_by) == (accept_by, answer_by)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("accept_workdays", 0),
        ("accept_workdays", 31),
        ("answer_workdays", 0),
        ("answer_workdays", 31),
    ],
)
def test_limits_stay_within_one_to_thirty(world, field, value):
    limit = ComplaintLimit(district=world.district_a, category="fines", **{field: value})
    with pytest.raises(ValidationError) as exc:
        limit.full_clean()
    assert list(exc.value.message_dict) == [field]
    assert not ComplaintLimit.objects.exists()


def test_defaults_are_one_and_five(world):
    limit = ComplaintLimit(district=world.district_a, category="fines")
    assert (limit.accept_workdays, limit.answer_workdays) == (1, 5)


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_the_district_admin_edits_limits_in_the_admin(admin_client, world, settings):
    settings.LANGUAGE_CODE = "en"
    url = reverse("admin:complaints_complaintlimit_add")
    response = admin_client.post(
        url, {"category": "fines", "accept_workdays": 2, "answer_workdays": 10}
    )
    assert response.status_code == 302
    limit = ComplaintLimit.objects.get()
    assert limit.district == world.district_a  # filed in the admin's own district
    again = admin_client.post(
        url, {"category": "fines", "accept_workdays": 1, "answer_workdays": 3}
    )
    assert again.status_code == 200
    assert "This category already has time limits in the district." in again.content.decode()
    too_long = admin_client.post(
        url, {"category": "policy", "accept_workdays": 1, "answer_workdays": 31}
    )
    assert too_long.status_code == 200
    assert ComplaintLimit.objects.count() == 1
    other = _limit(world, "b")
    changelist = admin_client.get(reverse("admin:complaints_complaintlimit_changelist"))
    assert changelist.status_code == 200
    assert f"/{other.pk}/change/" not in changelist.content.decode()
    for model in ["complaint", "complaintextension", "complaintattachment"]:
        page = admin_client.get(reverse(f"admin:complaints_{model}_changelist"))
        assert page.status_code == 200
