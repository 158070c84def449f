"""A request through its life (SPEC §9): approval issues long random codes, rejection needs
a reason, cancelling withdraws the codes, the department records the visit (not before its
date, not after today), the enterprise rates it once and only when it took place, the
supervision office merges visits into a joint inspection; scoping; stale versions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.models import DomainEvent
from zhaoshang.inspections import services
from zhaoshang.inspections.choices import CODE_ALPHABET, RequestStatus
from zhaoshang.inspections.models import InspectionRequest, InspectionVisit, JointInspection
from zhaoshang.inspections.tests.factories import make_request

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _visit(request) -> InspectionVisit:
    return request.visits.get()


def _go_to(traveller, day: datetime.date) -> None:
    traveller.move_to(datetime.datetime(day.year, day.month, day.day, 2, tzinfo=datetime.UTC))


def test_approval_issues_a_long_random_code_per_visit(world):
    request = make_request(world, enterprises=[world.enterprise1_a, world.enterprise2_a])
    request = services.approve_request(world.user_supervisor, request)
    assert request.status == RequestStatus.APPROVED
    assert request.decided_by == world.user_supervisor and request.decided_on == D(2026, 6, 15)
    codes = list(request.visits.values_list("code", flat=True))
    assert len(set(codes)) == 2
    for code in codes:
        assert len(code) == 20 and set(code) <= set(CODE_ALPHABET)
    visit = request.visits.first()
    assert visit.code_display.count("-") == 4 and visit.code_display.replace("-", "") == visit.code
    assert DomainEvent.objects.for_object(request).filter(verb="inspection.approved").exists()


@pytest.mark.parametrize("who", ["department", "bureau", "leader", "city", "bureau_b"])
def test_only_the_supervision_office_decides(world, who):
    request = make_request(world)
    with pytest.raises(PermissionDenied):
        services.approve_request(getattr(world, f"user_{who}"), request)
    with pytest.raises(PermissionDenied):
        services.reject_request(getattr(world, f"user_{who}"), request, reason="x")
    request.refresh_from_db()
    assert request.status == RequestStatus.FILED and request.version == 1


def test_rejection_needs_a_reason(world):
    request = make_request(world)
    with pytest.raises(ValidationError) as exc:
        services.reject_request(world.user_supervisor, request, reason=" ")
    assert exc.value.message_dict == {"reason": ["Write why the request is rejected."]}
    request = services.reject_request(world.user_admin, request, reason="检查事项无法律依据")
    assert request.status == RequestStatus.REJECTED
    assert request.decision_reason == "检查事项无法律依据"
    assert not request.visits.filter(code__isnull=False).exists()
    with pytest.raises(ValidationError) as exc:
        services.approve_request(world.user_supervisor, request)
    assert list(exc.value.message_dict) == ["status"]


def test_cancel_by_the_filing_department_before_the_visit(world, _frozen_time):
    request = make_request(world, approve=True)
    with pytest.raises(PermissionDenied):
        services.cancel_request(world.user_park, request)
    with pytest.raises(PermissionDenied):
        services.cancel_request(world.user_supervisor, request)
    request = services.cancel_request(world.user_officer, request, reason="计划调整")
    assert request.status == RequestStatus.CANCELLED
    other = make_request(world, approve=True)
    _go_to(_frozen_time, D(2026, 6, 25))
    services.record_visit(
        world.user_department, _visit(other), carried_out_on=D(2026, 6, 25), findings="无问题"
    )
    with pytest.raises(ValidationError):
        services.cancel_request(world.user_department, other)
    other.refresh_from_db()
    assert other.status == RequestStatus.APPROVED


def test_recording_the_visit(world, _frozen_time):
    request = make_request(world, approve=True)
    visit = _visit(request)
    with pytest.raises(ValidationError) as exc:
        services.record_visit(
            world.user_department, visit, carried_out_on=D(2026, 6, 24), findings="x"
        )
    assert exc.value.message_dict["carried_out_on"] == ["The date cannot be in the future."]
    _go_to(_frozen_time, D(2026, 6, 26))
    with pytest.raises(ValidationError) as exc:
        services.record_visit(
            world.user_department, visit, carried_out_on=D(2026, 6, 24), findings=""
        )
    assert exc.value.message_dict == {
        "carried_out_on": [
            "The visit cannot have taken place before its approved date (2026-06-25)."
        ],
        "findings": ["Summarise what the visit found."],
    }
    with pytest.raises(ValidationError):
        services.record_visit(
            world.user_department, visit, carried_out_on=D(2026, 6, 27), findings="x"
        )
    with pytest.raises(PermissionDenied):
        services.record_visit(
            world.user_supervisor, visit, carried_out_on=D(2026, 6, 25), findings="x"
        )
    visit.refresh_from_db()
    assert visit.carried_out_on is None and visit.version == 2
    visit = services.record_visit(
        world.user_officer,
        visit,
        carried_out_on=D(2026, 6, 25),
        findings="发现两处隐患，已责令整改",
    )
    assert visit.carried_out_on == D(2026, 6, 25)
    assert DomainEvent.objects.for_object(request).filter(verb="inspection.carried_out").exists()


def test_a_filed_request_cannot_be_recorded(world, _frozen_time):
    request = make_request(world)
    _go_to(_frozen_time, D(2026, 6, 25))
    with pytest.raises(ValidationError) as exc:
        services.record_visit(
            world.user_department, _visit(request), carried_out_on=D(2026, 6, 25), findings="x"
        )
    assert list(exc.value.message_dict) == ["status"]


def test_rating_only_after_the_visit_and_once(world, _frozen_time):
    visit = _visit(make_request(world, approve=True))
    with pytest.raises(ValidationError) as exc:
        services.rate_visit(world.user_supervisor, visit, rating="dissatisfied")
    assert exc.value.message_dict == {
        "rating": ["This visit has not been recorded as carried out: nothing to rate."]
    }
    _go_to(_frozen_time, D(2026, 6, 25))
    visit = services.record_visit(
        world.user_department, visit, carried_out_on=D(2026, 6, 25), findings="无问题"
    )
    with pytest.raises(PermissionDenied):
        services.rate_visit(world.user_department, visit, rating="satisfied")
    with pytest.raises(PermissionDenied):
        services.rate_visit(world.user_enterprise_b, visit, rating="satisfied")
    with pytest.raises(ValidationError) as exc:
        services.rate_visit(world.user_enterprise, visit, rating="great")
    assert set(exc.value.message_dict) == {"rating"}
    visit = services.rate_visit(world.user_enterprise, visit, rating="fairly", comment="耗时较长")
    assert (visit.rating, visit.rating_comment) == ("fairly", "耗时较长")
    with pytest.raises(ValidationError) as exc:
        services.rate_visit(world.user_bureau, visit, rating="satisfied")
    assert exc.value.message_dict == {"rating": ["This visit has already been rated."]}
    visit.refresh_from_db()
    assert visit.rating == "fairly"


def test_merge_into_a_joint_inspection(world):
    works = make_request(world, approve=True)
    land = make_request(world, by=world.user_admin, department=world.dept_land_a, approve=True)
    committee = make_request(
        world,
        by=world.user_park,
        department=world.dept_committee_a,
        planned_on=D(2026, 6, 29),
        approve=True,
    )
    visit, land_visit, committee_visit = _visit(works), _visit(land), _visit(committee)
    with pytest.raises(PermissionDenied):
        services.merge_visits(
            world.user_department,
            visit,
            others=[land_visit],
            visit_on=D(2026, 6, 26),
            lead_department=world.dept_works_a,
        )
    with pytest.raises(ValidationError) as exc:
        services.merge_visits(
            world.user_supervisor,
            visit,
            others=[land_visit],
            visit_on=D(2026, 6, 26),
            lead_department=world.dept_bureau_a,
        )
    assert set(exc.value.message_dict) == {"lead_department"}
    assert not JointInspection.objects.exists()
    joint = services.merge_visits(
        world.user_supervisor,
        visit,
        others=[land_visit],
        visit_on=D(2026, 6, 26),
        lead_department=world.dept_land_a,
    )
    # A third department joins the same joint inspection; the date moves for everyone.
    again = services.merge_visits(
        world.user_supervisor,
        committee_visit,
        others=[visit],
        visit_on=D(2026, 6, 30),
        lead_department=world.dept_land_a,
    )
    assert again.pk == joint.pk
    assert set(InspectionVisit.objects.filter(joint=joint).values_list("visit_on", flat=True)) == {
        D(2026, 6, 30)
    }
    assert InspectionVisit.objects.filter(joint=joint).count() == 3


def test_merging_a_department_with_itself_is_refused(world):
    first = _visit(make_request(world, approve=True))
    second = _visit(make_request(world, approve=True))
    with pytest.raises(ValidationError) as exc:
        services.merge_visits(
            world.user_supervisor,
            first,
            others=[second],
            visit_on=D(2026, 6, 26),
            lead_department=world.dept_works_a,
        )
    assert exc.value.message_dict["others"] == [
        "A joint inspection merges the visits of different departments."
    ]


def test_stale_version_is_refused(world):
    request = make_request(world)
    with pytest.raises(ValidationError) as exc:
        services.approve_request(world.user_supervisor, request, expected_version=7)
    assert exc.value.code == "concurrent_edit"
    request.refresh_from_db()
    assert request.status == RequestStatus.FILED


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("supervisor", {"in", "out"}),
        ("department", {"in", "out"}),
        ("leader", {"in", "out"}),
        ("park", {"out"}),
        ("enterprise", set()),
        ("bureau_b", {"other"}),
        ("city", {"in", "out", "other"}),
    ],
)
def test_scoping(world, targets, who, visible):
    user = getattr(world, f"user_{who}")
    seen = set(InspectionRequest.objects.visible_to(user).values_list("pk", flat=True))
    assert seen == {targets[t].pk for t in visible}
    visits = set(InspectionVisit.objects.visible_to(user).values_list("request_id", flat=True))
    assert visits == {targets[t].pk for t in visible}
