"""The services behind the enterprise's reporting: the staff's checks for the enterprise's
report, its permission on its own project only, and its uploads counting as stage
evidence only once the project's staff confirm them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import MaterialType
from zhaoshang.projects.services import (
    change_stage,
    confirm_document,
    submit_monthly_report,
    upload_document,
)

MAY = datetime.date(2026, 5, 1)
TODAY = datetime.date(2026, 6, 15)
BAD = {
    "month": "2026-05",
    "investment_this_month": "500",
    "investment_cumulative": "200",  # below this month's
    "funds_this_month": "-3",
    "image_progress": "",
    "is_correction": "",
    "correction_reason": "没有勾选更正",
}


def _pdf(name="license.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 license", content_type="application/pdf")


@pytest.mark.django_db
def test_the_portal_form_gives_the_staff_form_s_errors_all_at_once(world, client_for):
    project = world.project1_a
    staff = client_for("bureau").post(reverse("projects:progress", args=[project.pk]), BAD)
    portal = client_for("enterprise").post(
        reverse("portal:report_new", args=[project.pk, 2026, 5]), BAD
    )
    assert staff.status_code == portal.status_code == 400
    staff_errors = staff.context["form"].errors.get_json_data()
    portal_errors = portal.context["form"].errors.get_json_data()
    assert portal_errors == staff_errors
    assert {
        "investment_cumulative",
        "funds_this_month",
        "image_progress",
        "is_correction",
    } <= set(portal_errors)


@pytest.mark.django_db
def test_the_enterprise_files_for_its_own_project_only(world):
    data = {
        "month": MAY,
        "investment_this_month": Decimal("10"),
        "investment_cumulative": Decimal("10"),
        "image_progress": "平整场地",
    }
    report = submit_monthly_report(world.user_enterprise, world.project1_a, data)
    assert report.submitted_by == world.user_enterprise
    other = world.project1_a
    other.enterprise = world.enterprise2_a
    other.save()
    with pytest.raises(PermissionDenied):
        submit_monthly_report(world.user_enterprise, other, {**data, "month": MAY})


@pytest.mark.django_db
def test_output_and_tax_wait_for_production(world):
    data = {
        "month": MAY,
        "investment_this_month": Decimal("10"),
        "investment_cumulative": Decimal("10"),
        "output_this_month": Decimal("5"),
        "tax_this_month": Decimal("1"),
        "image_progress": "试生产准备",
    }
    with pytest.raises(ValidationError) as refused:
        submit_monthly_report(world.user_enterprise, world.project1_a, data)
    assert {"output_this_month", "tax_this_month"} <= set(refused.value.message_dict)
    project = world.project1_a
    project.stage = Stage.PRODUCTION
    project.save()
    report = submit_monthly_report(world.user_enterprise, project, {**data, "jobs": 120})
    assert (report.output_this_month, report.tax_this_month, report.jobs) == (
        Decimal("5"),
        Decimal("1"),
        120,
    )


@pytest.mark.django_db
def test_an_unconfirmed_enterprise_upload_is_not_stage_evidence(world):
    project = world.project1_a  # signed: "registered" needs the business licence
    license_type = MaterialType.objects.get(code="business_license")
    version = upload_document(world.user_enterprise, project, license_type, _pdf())
    assert version.awaits_confirmation
    with pytest.raises(ValidationError) as refused:
        change_stage(world.user_bureau, project, Stage.REGISTERED, TODAY)
    assert "evidence_business_license" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        confirm_document(world.user_enterprise, version)
    confirmed = confirm_document(world.user_bureau, version)
    assert confirmed.confirmed_by == world.user_bureau and confirmed.counts_as_evidence
    with pytest.raises(ValidationError):
        confirm_document(world.user_bureau, version)  # once
    project.refresh_from_db()
    event = change_stage(world.user_bureau, project, Stage.REGISTERED, TODAY)
    assert list(event.evidence.all()) == [version]


@pytest.mark.django_db
def test_a_staff_upload_counts_at_once_and_needs_no_confirmation(world):
    project = world.project1_a
    license_type = MaterialType.objects.get(code="business_license")
    version = upload_document(world.user_bureau, project, license_type, _pdf())
    assert not version.submitted_by_enterprise and version.counts_as_evidence
    with pytest.raises(ValidationError):
        confirm_document(world.user_bureau, version)
    event = change_stage(world.user_bureau, project, Stage.REGISTERED, TODAY)
    assert list(event.evidence.all()) == [version]


@pytest.mark.django_db
def test_the_enterprise_cannot_upload_into_another_s_project(world):
    license_type = MaterialType.objects.get(code="business_license")
    with pytest.raises(PermissionDenied):
        upload_document(world.user_enterprise, world.project2_a, license_type, _pdf())


@pytest.mark.django_db
def test_a_removed_contact_no_longer_reports_for_its_enterprise(world):
    contact = world.user_enterprise
    contact.is_active = False
    contact.save()
    license_type = MaterialType.objects.get(code="business_license")
    with pytest.raises(PermissionDenied):
        upload_document(contact, world.project1_a, license_type, _pdf())
    with pytest.raises(PermissionDenied):
        submit_monthly_report(
            contact,
            world.project1_a,
            {
                "month": MAY,
                "investment_this_month": Decimal("10"),
                "investment_cumulative": Decimal("10"),
                "image_progress": "平整场地",
            },
        )


@pytest.mark.django_db
def test_a_month_s_status_is_read_on_the_day_asked(world):
    from zhaoshang.portal.reporting import month_statuses

    (before,) = month_statuses([world.project1_a], datetime.date(2026, 6, 3))
    (after,) = month_statuses([world.project1_a], datetime.date(2026, 6, 6))
    assert (before.month, before.status) == (MAY, "due")
    assert (after.month, after.status) == (MAY, "overdue")
