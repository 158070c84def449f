"""Every complaint form reports all its errors at once, not in rounds, and refuses markup
in its text fields (issue 16, point 11): each bad field is named in the one answer and
nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.models import Complaint, ComplaintExtension
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core.models import DomainEvent

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def accepted(world):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    return services.accept_complaint(world.user_department, complaint)


@pytest.fixture
def requested(world, accepted):
    services.request_extension(world.user_department, accepted, reason="涉及多个部门，需现场核查。")
    return Complaint.objects.get(pk=accepted.pk)


def _refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def _unchanged(complaint: Complaint) -> None:
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.version, fresh.answer_by, fresh.answer_workdays) == (
        complaint.version,
        complaint.answer_by,
        complaint.answer_workdays,
    )


def test_a_second_request_without_a_reason_names_both(world, requested):
    events = DomainEvent.objects.count()
    errors = _refused(
        lambda: services.request_extension(world.user_department, requested, reason="  ")
    )
    assert errors == {
        "reason": ["Explain why the case needs more time."],
        "extension": [
            "An extension has already been requested for this complaint; it can be extended "
            "only once."
        ],
    }
    assert ComplaintExtension.objects.count() == 1 and DomainEvent.objects.count() == events
    _unchanged(requested)


def test_a_decision_without_a_request_or_a_reason_names_both(world, accepted):
    errors = _refused(
        lambda: services.decide_extension(world.user_supervisor, accepted, approve=False)
    )
    assert errors == {
        "extension": ["No extension has been requested."],
        "reason": ["Give the reason for rejecting the extension."],
    }
    assert not ComplaintExtension.objects.exists()
    _unchanged(accepted)


def test_deciding_again_too_short_names_both(world, requested):
    services.decide_extension(
        world.user_supervisor, requested, approve=False, reason="不属复杂案件"
    )
    requested = Complaint.objects.get(pk=requested.pk)
    errors = _refused(
        lambda: services.decide_extension(
            world.user_supervisor, requested, approve=True, workdays_granted=5
        )
    )
    # The current limit is the 5 working days of an answer: 5 is not more.
    assert errors == {
        "extension": ["The extension request has already been decided."],
        "workdays": ["The extension must give more than the current limit of 5 working days."],
    }
    extension = ComplaintExtension.objects.get()
    assert extension.approved is False and extension.workdays is None
    _unchanged(requested)


def test_the_receive_form_refuses_markup_in_every_text_field_at_once(client_for, world):
    response = client_for("supervisor").post(
        reverse("complaints:create"),
        {
            "enterprise": world.project1_a.enterprise_id,
            "department": world.dept_works_a.pk,
            "channel": "12345",
            "category": "attitude",
            "text": "窗口人员<script>alert(1)</script>",
            "contact_name": "<b>王经理</b>",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"text", "contact_name"}
    assert "cannot contain markup" in form.errors["text"][0]
    assert not Complaint.objects.exists()


def test_the_extension_form_refuses_markup(client_for, world, accepted):
    response = client_for("department").post(
        reverse("complaints:request_extension", args=[accepted.pk]),
        {"version": accepted.version, "reason": "需要<img src=x>检测"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'data-field="reason"' in response.content.decode()
    assert not ComplaintExtension.objects.exists()
    _unchanged(accepted)


def test_every_complaint_form_has_the_markup_refusal():
    from django import forms as django_forms

    from zhaoshang.complaints import forms
    from zhaoshang.core.forms import BootstrapMixin

    form_classes = [
        value
        for value in vars(forms).values()
        if isinstance(value, type)
        and issubclass(value, django_forms.BaseForm)
        and value.__module__ == forms.__name__
    ]
    assert form_classes
    assert all(issubclass(cls, BootstrapMixin) for cls in form_classes), form_classes
