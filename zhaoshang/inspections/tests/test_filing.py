"""Filing a request (SPEC §9): the legal basis, the quiet days and their boundary days,
the yearly cap across the year boundary (rejected and cancelled requests do not count),
emergencies filed within 1 working day after (across 端午节), fees; bad input is refused
naming the field and saves nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.models import DomainEvent
from zhaoshang.inspections import services
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.models import InspectionRequest, InspectionSettings, InspectionVisit
from zhaoshang.inspections.tests.factories import make_request

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _nothing_saved():
    assert not InspectionRequest.objects.exists()
    assert not InspectionVisit.objects.exists()


def test_filing_numbers_visits_and_logs(world):
    first = make_request(world, enterprises=[world.enterprise1_a, world.enterprise2_a])
    second = make_request(world, by=world.user_officer)
    assert (first.number, second.number) == ("JC-2026-0001", "JC-2026-0002")
    assert first.status == RequestStatus.FILED
    assert sorted(first.visits.values_list("enterprise__name", flat=True)) == sorted(
        [world.enterprise1_a.name, world.enterprise2_a.name]
    )
    assert set(first.visits.values_list("visit_on", flat=True)) == {D(2026, 6, 25)}
    assert not first.visits.filter(code__isnull=False).exists()  # codes come with approval
    assert DomainEvent.objects.for_object(first).filter(verb="inspection.filed").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "legal_basis",
            "  ",
            "A request without a legal basis cannot be filed: cite the law or regulation.",
        ),
        ("purpose", "", "Write the purpose of the request."),
        ("enterprises", [], "Choose at least one enterprise."),
        ("kind", "visit", "Choose what the request is for: an inspection, a rating or a fee."),
        ("people", "", "Name the inspectors and their certificate numbers."),
        ("planned_on", None, "Give the planned date."),
        (
            "planned_on",
            D(2026, 6, 12),
            "The planned date has passed; only an emergency inspection is filed afterwards.",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, field, value, message):
    with pytest.raises(ValidationError) as exc:
        make_request(world, **{field: value})
    assert exc.value.message_dict[field] == [message]
    _nothing_saved()


def test_records_of_another_district_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_request(world, enterprises=[world.enterprise1_a, world.enterprise1_b])
    assert exc.value.message_dict["enterprises"] == ["An enterprise belongs to another district."]
    _nothing_saved()


@pytest.mark.parametrize("who", ["leader", "city", "enterprise", "supervisor", "manager"])
def test_only_the_department_files(world, who):
    with pytest.raises(PermissionDenied):
        make_request(world, by=getattr(world, f"user_{who}"))
    _nothing_saved()


def test_a_department_files_only_for_itself_admins_for_any(world):
    with pytest.raises(PermissionDenied):
        make_request(world, department=world.dept_land_a)
    assert make_request(world, by=world.user_admin, department=world.dept_land_a).pk


# --- quiet days (企业宁静日) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "quiet"),
    [
        (D(2026, 6, 30), False),
        (D(2026, 7, 1), True),  # the first quiet day
        (D(2026, 7, 20), True),  # the last quiet day
        (D(2026, 7, 21), False),
    ],
)
def test_quiet_days_need_a_reason(world, day, quiet):
    if quiet:
        with pytest.raises(ValidationError) as exc:
            make_request(world, planned_on=day)
        assert exc.value.message_dict["quiet_day_reason"] == [
            f"{day.isoformat()} falls on the enterprises' quiet days (days 1–20 of each "
            "month): give the reason why the visit cannot wait."
        ]
        _nothing_saved()
        request = make_request(world, planned_on=day, quiet_day_reason="安全事故隐患举报核查")
        assert request.quiet_day_reason == "安全事故隐患举报核查"
    else:
        assert make_request(world, planned_on=day).planned_on == day


def test_quiet_days_are_the_districts_setting_and_fees_are_exempt(world):
    InspectionSettings.objects.create(district=world.district_a, quiet_from_day=5, quiet_to_day=10)
    assert make_request(world, planned_on=D(2026, 7, 1)).pk
    with pytest.raises(ValidationError) as exc:
        make_request(world, planned_on=D(2026, 7, 10))
    assert "days 5–10" in exc.value.message_dict["quiet_day_reason"][0]
    fee = make_request(
        world,
        kind="fee",
        planned_on=D(2026, 7, 10),
        people="",
        fee_amount=Decimal("1200.00"),
        fee_basis="川发改价格〔2020〕1号",
    )
    assert fee.fee_amount == Decimal("1200.00")


def test_a_fee_needs_its_amount_and_basis(world):
    with pytest.raises(ValidationError) as exc:
        make_request(world, kind="fee", fee_amount=None, fee_basis="")
    assert set(exc.value.message_dict) == {"fee_amount", "fee_basis"}
    _nothing_saved()


# --- the yearly cap ---------------------------------------------------------------------


def test_the_yearly_cap_counts_per_enterprise_and_year(world):
    make_request(world, planned_on=D(2026, 12, 28))
    make_request(world, planned_on=D(2026, 12, 29), enterprises=[world.enterprise2_a])
    make_request(world, planned_on=D(2026, 12, 30))
    with pytest.raises(ValidationError) as exc:
        make_request(world, planned_on=D(2026, 12, 31))
    assert exc.value.message_dict["enterprises"] == [
        f"{world.enterprise1_a.name} already has 2 visits of your department in 2026, the "
        "yearly cap; combine the visit with another or wait until next year."
    ]
    assert InspectionRequest.objects.count() == 3
    # The next year starts afresh; enterprise2 has one visit left; another department too.
    assert make_request(world, planned_on=D(2027, 1, 25)).pk
    assert make_request(world, planned_on=D(2026, 12, 31), enterprises=[world.enterprise2_a]).pk
    assert make_request(world, by=world.user_park, department=world.dept_committee_a).pk


def test_rejected_and_cancelled_requests_do_not_count(world):
    first = make_request(world)
    second = make_request(world)
    with pytest.raises(ValidationError):
        make_request(world)
    services.reject_request(world.user_supervisor, first, reason="依据不足")
    third = make_request(world)
    with pytest.raises(ValidationError):
        make_request(world)
    services.cancel_request(world.user_department, second)
    assert make_request(world).pk
    assert third.status == RequestStatus.FILED


def test_the_cap_is_checked_again_at_approval(world):
    InspectionSettings.objects.create(district=world.district_a, yearly_cap=1)
    make_request(world, approve=True)
    # An admin filed a second one for the department before the cap was lowered.
    settings = InspectionSettings.objects.get()
    settings.yearly_cap = 2
    settings.save()
    second = make_request(world)
    settings.yearly_cap = 1
    settings.save()
    with pytest.raises(ValidationError) as exc:
        services.approve_request(world.user_supervisor, second)
    assert "the yearly cap" in exc.value.message_dict["enterprises"][0]
    second.refresh_from_db()
    assert second.status == RequestStatus.FILED and second.version == 1
    assert not second.visits.filter(code__isnull=False).exists()


# --- emergencies (filed within 1 working day after) ------------------------------------


def test_emergency_within_one_working_day(world, _frozen_time):
    # Frozen on Monday 15 June: an emergency of Friday 12 June is in time, Thursday's not.
    request = make_request(
        world, is_emergency=True, emergency_reason="燃气泄漏", planned_on=D(2026, 6, 12)
    )
    assert request.is_emergency
    with pytest.raises(ValidationError) as exc:
        make_request(
            world, is_emergency=True, emergency_reason="燃气泄漏", planned_on=D(2026, 6, 11)
        )
    assert exc.value.message_dict["planned_on"] == [
        "An emergency inspection must be filed within 1 working day(s) after it (by 2026-06-12)."
    ]


@pytest.mark.parametrize(("filed", "ok"), [(D(2026, 6, 22), True), (D(2026, 6, 23), False)])
def test_emergency_across_the_dragon_boat_holiday(world, _frozen_time, filed, ok):
    """Thursday 18 June; 19 June (端午节) and the weekend are not working days, so the
    next working day is Monday 22 June."""
    _frozen_time.move_to(datetime.datetime(*filed.timetuple()[:3], 9, 0, tzinfo=datetime.UTC))
    data = {"is_emergency": True, "emergency_reason": "火灾隐患", "planned_on": D(2026, 6, 18)}
    if ok:
        assert make_request(world, **data).filed_on == filed
    else:
        with pytest.raises(ValidationError) as exc:
            make_request(world, **data)
        assert "by 2026-06-22" in exc.value.message_dict["planned_on"][0]
        _nothing_saved()


def test_emergency_needs_its_reason_and_is_exempt_from_quiet_days_and_cap(world):
    with pytest.raises(ValidationError) as exc:
        make_request(world, is_emergency=True, planned_on=D(2026, 6, 15))
    assert set(exc.value.message_dict) == {"emergency_reason"}
    make_request(world)
    make_request(world)
    # Quiet day (15 June), cap reached: still filed, as an emergency.
    assert make_request(
        world, is_emergency=True, emergency_reason="突发事故", planned_on=D(2026, 6, 15)
    ).pk


def test_an_emergency_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError) as exc:
        make_request(world, is_emergency=True, emergency_reason="x", planned_on=D(2026, 6, 25))
    assert "cannot be in the future" in exc.value.message_dict["planned_on"][0]
