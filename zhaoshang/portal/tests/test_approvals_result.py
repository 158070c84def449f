"""The result of a case (办结): the staff case page's 办结 action records the approval
number and the certificate, every problem of the form at once and nothing half-written;
the enterprise then finds both in the service hall."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.tests.pages import EN, action_url
from zhaoshang.portal.tests.approvals_cases import PDF


def _accepted(world, client):
    case = world.case_a
    for slug, data in (
        ("materials-complete", {"materials_complete_on": "2026-06-15"}),
        ("accept", {"accepted_on": "2026-06-15"}),
    ):
        case.refresh_from_db()
        response = client.post(action_url(case, slug), {"version": case.version, **data}, **EN)
        assert response.status_code == 302
    case.refresh_from_db()
    return case


def test_the_done_action_records_the_number_and_the_certificate(world, client_for):
    handler = client_for("department")
    case = _accepted(world, handler)
    response = handler.post(
        action_url(case, "complete"),
        {
            "version": case.version,
            "done_on": "2026-06-15",
            "approval_number": "渝建垃圾核〔2026〕18号",
            "certificate": SimpleUploadedFile("核准证.pdf", PDF, "application/pdf"),
        },
        **EN,
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DONE
    assert case.approval_number == "渝建垃圾核〔2026〕18号"
    assert case.certificate_name == "核准证.pdf" and case.certificate.read() == PDF
    contact = client_for("enterprise")
    page = contact.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "渝建垃圾核〔2026〕18号" in page and "核准证.pdf" in page
    download = contact.get(reverse("portal:case_certificate", args=[case.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_every_problem_of_the_done_form_at_once_and_nothing_written(world, client_for):
    handler = client_for("department")
    case = _accepted(world, handler)
    response = handler.post(
        action_url(case, "complete"),
        {
            "version": case.version,
            "done_on": "2026-06-15",
            "approval_number": "<b>18号</b>",
            "certificate": SimpleUploadedFile("核准证.pdf", b"not a pdf", "application/pdf"),
        },
        **EN,
    )
    assert response.status_code == 400
    form = response.context["actions"]
    errors = next(f for action, f, _url in form if action.slug == "complete").errors
    assert {"approval_number", "certificate"} <= set(errors)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.approval_number
    assert not case.certificate


def test_the_service_names_every_problem_of_the_result_at_once(world, client_for):
    handler = client_for("department")
    case = _accepted(world, handler)
    with pytest.raises(ValidationError) as exc:
        services.complete_case(
            world.user_department,
            case,
            datetime.date(2026, 7, 1),  # in the future
            approval_number="<b>18号</b>",
            certificate=SimpleUploadedFile("核准证.exe", b"MZ", "application/octet-stream"),
        )
    assert {"done_on", "approval_number", "certificate"} <= set(exc.value.message_dict)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.certificate
