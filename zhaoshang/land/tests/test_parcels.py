"""Parcels through their life (SPEC §11): recorded, edited with optimistic locking, moved
from status to status by the rules (supplied needs a project and a delivery date; idle only
once the clock has run; recovered needs the date, the reason and the decision's number);
bad input is refused with a message naming the field and saves nothing; audit events."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import DomainEvent
from zhaoshang.land import services
from zhaoshang.land.choices import ParcelStatus
from zhaoshang.land.models import LandParcel
from zhaoshang.land.tests.factories import make_parcel, make_supplied

pytestmark = pytest.mark.usefixtures("english")


def test_record_a_parcel_logs_and_keeps_history(world):
    parcel = make_parcel(world, code="DK-2026-101")
    assert parcel.status == ParcelStatus.RESERVE and parcel.version == 1
    assert DomainEvent.objects.for_object(parcel).filter(verb="land_parcel.created").exists()
    assert parcel.history.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "  ", "Give the parcel number."),
        ("name", "", "Give the parcel a name."),
        ("park", None, "Choose the park the parcel is in."),
        ("area", Decimal("0"), "The area must be more than zero."),
        ("area", None, "Give the area in mu."),
        ("land_use", "farm", "Choose the land use."),
        ("land_price", Decimal("-1"), "The figure cannot be negative."),
        ("delivered_on", datetime.date(2026, 7, 1), "The date cannot be in the future."),
        ("status", ParcelStatus.RECOVERED, "A new parcel is in the reserve, reserved or supplied."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, field, value, message):
    before = LandParcel.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_parcel(world, **{field: value})
    assert exc.value.message_dict[field] == [message]
    assert LandParcel.objects.count() == before


def test_duplicate_number_and_foreign_records_are_refused(world):
    make_parcel(world, code="DK-1")
    with pytest.raises(ValidationError) as exc:
        make_parcel(world, code="DK-1", park=world.park1_b, project=world.project2_a)
    errors = exc.value.message_dict
    assert errors["code"] == ["Another parcel of the district has this number."]
    assert errors["park"] == ["The park belongs to another district."]
    # The same number in another district is fine.
    assert make_parcel(world, "b", code="DK-1").code == "DK-1"


def test_project_must_be_in_the_parcels_park(world):
    with pytest.raises(ValidationError) as exc:
        make_parcel(world, project=world.project2_a)  # park 2, parcel in park 1
    assert exc.value.message_dict["project"] == ["The project is in another park."]


def test_supplied_needs_a_project_and_a_delivery_date(world):
    with pytest.raises(ValidationError) as exc:
        make_parcel(world, status=ParcelStatus.SUPPLIED)
    errors = exc.value.message_dict
    assert errors["project"] == ["A supplied parcel needs the project it is supplied to."]
    assert errors["delivered_on"] == ["A supplied parcel needs its delivery date."]


def test_park_committee_records_only_in_its_parks(world):
    parcel = make_parcel(world, by=world.user_park)
    assert parcel.park == world.park1_a
    with pytest.raises(ValidationError) as exc:
        make_parcel(world, by=world.user_park, park=world.park2_a)
    assert exc.value.message_dict["park"] == ["You manage the land of other parks only."]
    with pytest.raises(PermissionDenied):
        make_parcel(world, by=world.user_leader)
    with pytest.raises(PermissionDenied):
        make_parcel(world, by=world.user_city)


def test_edit_with_a_stale_version_is_refused_and_saves_nothing(world):
    parcel = make_parcel(world)
    services.update_parcel(world.user_bureau, parcel, name="新名称", expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.update_parcel(world.user_admin, parcel, name="旧页面", expected_version=1)
    parcel.refresh_from_db()
    assert parcel.name == "新名称" and parcel.version == 2
    event = DomainEvent.objects.for_object(parcel).get(verb="land_parcel.updated")
    assert event.data["fields"] == ["name"]


def test_park_committee_cannot_edit_another_parks_parcel(world):
    parcel = make_parcel(world, park=world.park2_a)
    with pytest.raises(PermissionDenied):
        services.update_parcel(world.user_park, parcel, name="x")


def test_supply_then_idle_then_recover_then_reserve(world):
    parcel = make_parcel(world, agreed_start_on=datetime.date(2025, 3, 1))
    parcel = services.change_parcel_status(
        world.user_bureau,
        parcel,
        status=ParcelStatus.SUPPLIED,
        project=world.project1_a,
        on=datetime.date(2025, 1, 5),
    )
    assert parcel.project == world.project1_a and parcel.delivered_on == datetime.date(2025, 1, 5)
    parcel = services.change_parcel_status(world.user_bureau, parcel, status=ParcelStatus.IDLE)
    assert parcel.idle_on == datetime.date(2026, 6, 15)
    with pytest.raises(ValidationError) as exc:
        services.change_parcel_status(world.user_bureau, parcel, status=ParcelStatus.RECOVERED)
    assert set(exc.value.message_dict) == {"on", "reason", "document"}
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.IDLE
    parcel = services.change_parcel_status(
        world.user_bureau,
        parcel,
        status=ParcelStatus.RECOVERED,
        on=datetime.date(2026, 6, 1),
        reason="闲置满一年，企业无力开发",
        document="东府土收〔2026〕3号",
    )
    assert parcel.recovered_on == datetime.date(2026, 6, 1)
    parcel = services.change_parcel_status(world.user_bureau, parcel, status=ParcelStatus.RESERVE)
    assert parcel.project is None and parcel.delivered_on is None and parcel.recovered_on is None
    verbs = list(
        DomainEvent.objects.for_object(parcel)
        .filter(verb="land_parcel.status_changed")
        .order_by("id")
        .values_list("data__to", flat=True)
    )
    assert verbs == ["supplied", "idle", "recovered", "reserve"]
    # The history keeps what the reserve cleared.
    assert parcel.history.filter(recovery_document="东府土收〔2026〕3号").exists()


def test_idle_only_once_the_clock_has_run_a_year(world):
    parcel = make_supplied(world, agreed_start_on=datetime.date(2025, 9, 1))
    with pytest.raises(ValidationError) as exc:
        services.change_parcel_status(world.user_admin, parcel, status=ParcelStatus.IDLE)
    assert exc.value.message_dict["status"] == ["The parcel is not idle before 2026-09-01."]
    no_start = make_supplied(world, agreed_start_on=None)
    with pytest.raises(ValidationError) as exc:
        services.change_parcel_status(world.user_admin, no_start, status=ParcelStatus.IDLE)
    assert "clock is not running" in exc.value.message_dict["status"][0]


def test_transitions_outside_the_table_are_refused(world):
    parcel = make_parcel(world)
    with pytest.raises(ValidationError) as exc:
        services.change_parcel_status(world.user_admin, parcel, status=ParcelStatus.IDLE)
    assert exc.value.message_dict["status"] == ["A parcel that is “Reserve” cannot become “Idle”."]
    with pytest.raises(ValidationError) as exc:
        services.change_parcel_status(world.user_admin, parcel, status=ParcelStatus.SUPPLIED)
    errors = exc.value.message_dict
    assert "project" in errors and errors["on"] == ["Give the delivery date (交地日期)."]
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.RESERVE and parcel.version == 1


def test_status_change_with_a_stale_version_is_refused(world):
    parcel = make_supplied(world)
    services.update_parcel(world.user_admin, parcel, note="x", expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.change_parcel_status(
            world.user_bureau, parcel, status=ParcelStatus.IDLE, expected_version=1
        )
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.SUPPLIED


def test_a_parcels_status_form_offers_its_parks_projects_not_the_districts(world, parcels):
    """The project a parcel goes to is one of its park's: the form lists them (not the
    district-wide project autocomplete, which would offer projects it then refuses)."""
    from zhaoshang.land.forms import StatusForm
    from zhaoshang.projects.models import Project

    parcel = parcels["out"]  # park 2 of district a
    field = StatusForm(record=parcel).fields["project"]
    html = str(StatusForm(record=parcel)["project"])
    assert "data-zs-autocomplete" not in html
    offered = {pk for pk, _label in field.choices if pk}
    assert offered == {
        p.pk for p in Project.objects.filter(district=world.district_a, park=world.park2_a)
    }
    assert world.project1_a.pk not in {int(str(pk)) for pk in offered}
