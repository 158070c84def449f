"""A complex case's extension (复杂案件延期, SPEC §9): the department complained about asks
once, with a reason, while the complaint is accepted; the supervision office approves it —
the answer is then due at most 15 working days after the dispatch (fewer if it picks, but
more than the current limit) — or rejects it with a reason. Bad input names the field and
saves nothing; the decision is recorded and logged."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.models import Complaint, ComplaintExtension, ComplaintLimit
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core.models import DomainEvent
from zhaoshang.workdays import services as workdays

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


@pytest.fixture
def accepted(world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    return services.accept_complaint(world.user_department, complaint)


@pytest.fixture
def requested(world, accepted):
    services.request_extension(world.user_department, accepted, reason="涉及多个部门，需现场核查。")
    return Complaint.objects.get(pk=accepted.pk)


def _verbs(complaint):
    return list(
        DomainEvent.objects.for_object(complaint).order_by("id").values_list("verb", flat=True)
    )


def test_request_then_approve_for_the_full_fifteen_days(world, requested):
    extension = requested.extension
    assert extension.is_pending and extension.requested_by == world.user_department
    assert extension.previous_answer_by == requested.answer_by
    assert "complaint.extension_requested" in _verbs(requested)
    extension = services.decide_extension(world.user_supervisor, requested, approve=True)
    complaint = Complaint.objects.get(pk=requested.pk)
    # Dispatched Monday 15 June; 15 working days (端午节 19 June off) → Tuesday 7 July.
    assert complaint.answer_by == D(2026, 7, 7) == workdays.add_workdays(D(2026, 6, 15), 15).date
    assert complaint.due_on == complaint.answer_by and complaint.answer_workdays == 15
    assert extension.approved is True and extension.workdays == 15
    assert extension.new_answer_by == complaint.answer_by
    assert extension.decided_by == world.user_supervisor and extension.decided_on == D(2026, 6, 15)
    assert _verbs(complaint)[-1] == "complaint.extension_approved"


def test_approve_for_the_days_the_office_picks(world, requested):
    services.decide_extension(
        world.user_supervisor, requested, approve=True, workdays_granted=8, reason="同意。"
    )
    complaint = Complaint.objects.get(pk=requested.pk)
    assert complaint.answer_by == workdays.add_workdays(D(2026, 6, 15), 8).date
    assert complaint.extension.decision_reason == "同意。"


def test_reject_with_a_reason_keeps_the_deadline(world, requested):
    before = requested.answer_by
    services.decide_extension(
        world.user_supervisor, requested, approve=False, reason="不属于复杂案件。"
    )
    complaint = Complaint.objects.get(pk=requested.pk)
    assert complaint.answer_by == before and complaint.answer_workdays == 5
    assert complaint.extension.approved is False and complaint.extension.new_answer_by is None
    assert _verbs(complaint)[-1] == "complaint.extension_rejected"


def _unchanged(complaint: Complaint):
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.version, fresh.answer_by, fresh.answer_workdays) == (
        complaint.version,
        complaint.answer_by,
        complaint.answer_workdays,
    )
    extension = ComplaintExtension.objects.filter(complaint=complaint).first()
    if extension is not None:
        assert extension.approved is None and extension.decided_by is None


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"approve": True, "workdays_granted": 16},
            "workdays",
            "A complaint can be extended to at most 15 working days after the dispatch.",
        ),
        (
            {"approve": True, "workdays_granted": 5},
            "workdays",
            "The extension must give more than the current limit of 5 working days.",
        ),
        (
            {"approve": False, "reason": "  "},
            "reason",
            "Give the reason for rejecting the extension.",
        ),
    ],
)
def test_bad_decisions_name_the_field_and_save_nothing(world, requested, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        services.decide_extension(world.user_supervisor, requested, **kwargs)
    assert exc.value.message_dict == {field: [message]}
    _unchanged(requested)


def test_the_current_limit_is_the_categorys(world):
    ComplaintLimit.objects.create(
        district=world.district_a, category="fines", accept_workdays=1, answer_workdays=12
    )
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    complaint = services.accept_complaint(world.user_department, complaint)
    services.request_extension(world.user_department, complaint, reason="复杂。")
    complaint = Complaint.objects.get(pk=complaint.pk)
    with pytest.raises(ValidationError) as exc:
        services.decide_extension(
            world.user_supervisor, complaint, approve=True, workdays_granted=12
        )
    assert "12 working days" in exc.value.message_dict["workdays"][0]
    _unchanged(complaint)
    services.decide_extension(world.user_supervisor, complaint, approve=True, workdays_granted=13)
    assert Complaint.objects.get(pk=complaint.pk).answer_workdays == 13


def test_an_extension_is_decided_once(world, requested):
    services.decide_extension(world.user_supervisor, requested, approve=False, reason="否。")
    complaint = Complaint.objects.get(pk=requested.pk)
    with pytest.raises(ValidationError) as exc:
        services.decide_extension(world.user_supervisor, complaint, approve=True)
    assert exc.value.message_dict == {
        "extension": ["The extension request has already been decided."]
    }
    extension = ComplaintExtension.objects.get(complaint=complaint)
    assert (
        extension.approved is False and Complaint.objects.get(pk=complaint.pk).answer_workdays == 5
    )


def test_nothing_to_decide_without_a_request(world, accepted):
    with pytest.raises(ValidationError) as exc:
        services.decide_extension(world.user_supervisor, accepted, approve=True)
    assert exc.value.message_dict == {"extension": ["No extension has been requested."]}
    _unchanged(accepted)


def test_a_request_needs_a_reason_and_is_made_once(world, accepted):
    with pytest.raises(ValidationError) as exc:
        services.request_extension(world.user_department, accepted, reason=" ")
    assert exc.value.message_dict == {"reason": ["Explain why the case needs more time."]}
    assert not ComplaintExtension.objects.exists()
    services.request_extension(world.user_department, accepted, reason="复杂。")
    complaint = Complaint.objects.get(pk=accepted.pk)
    with pytest.raises(ValidationError) as exc:
        services.request_extension(world.user_department, complaint, reason="再延一次。")
    assert list(exc.value.message_dict) == ["extension"]
    assert ComplaintExtension.objects.count() == 1


def test_a_request_only_for_an_accepted_complaint(world):
    dispatched = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    with pytest.raises(ValidationError) as exc:
        services.request_extension(world.user_department, dispatched, reason="复杂。")
    assert list(exc.value.message_dict) == ["status"]
    assert not ComplaintExtension.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "bureau", "park"])
def test_only_the_department_complained_about_requests(world, accepted, who):
    with pytest.raises(PermissionDenied):
        services.request_extension(getattr(world, f"user_{who}"), accepted, reason="复杂。")
    assert not ComplaintExtension.objects.exists()


@pytest.mark.parametrize("who", ["department", "bureau", "leader"])
def test_only_the_supervision_office_decides(world, requested, who):
    with pytest.raises(PermissionDenied):
        services.decide_extension(getattr(world, f"user_{who}"), requested, approve=True)
    _unchanged(requested)


def test_the_page_and_the_api(client_for, world, accepted):
    detail = reverse("complaints:detail", args=[accepted.pk])
    department = client_for("department")
    assert 'data-action="request_extension"' in department.get(detail).content.decode()
    response = department.post(
        reverse("complaints:request_extension", args=[accepted.pk]),
        {"version": accepted.version, "reason": ""},
    )
    assert response.status_code == 400
    response = department.post(
        reverse("complaints:request_extension", args=[accepted.pk]),
        {"version": accepted.version, "reason": "需要第三方检测。"},
    )
    assert response.status_code == 302
    page = department.get(detail).content.decode()
    assert 'data-testid="extension"' in page and "需要第三方检测。" in page
    assert 'data-action="request_extension"' not in page
    assert 'data-action="decide_extension"' not in page
    supervisor = client_for("supervisor")
    assert 'data-action="decide_extension"' in supervisor.get(detail).content.decode()
    url = f"/api/v1/complaints/{accepted.pk}/decide_extension/"
    response = supervisor.post(
        url, {"decision": "approve", "workdays": 20}, content_type="application/json"
    )
    assert response.status_code == 400 and "workdays" in response.json()
    response = supervisor.post(
        url, {"decision": "approve", "workdays": 10}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["extension"]["approved"] is True and data["extension"]["workdays"] == 10
    assert data["answer_by"] == str(workdays.add_workdays(D(2026, 6, 15), 10).date)
    assert department.post(url, {"decision": "reject"}).status_code == 403
    page = department.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert data["answer_by"] in page and "10 working days after the dispatch" in page
