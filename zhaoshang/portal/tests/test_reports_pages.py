"""The reporting pages of the service hall: the enterprise reports its month with the staff
form's checks, sees its history, and uploads documents the staff confirm."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.projects.models import DocumentVersion, MonthlyReport
from zhaoshang.projects.services import submit_monthly_report

MAY = datetime.date(2026, 5, 1)  # the month due at FROZEN_NOW (2026-06-15), due 2026-06-05


def _new_url(project, month=MAY):
    return reverse("portal:report_new", args=[project.pk, month.year, month.month])


def _post(**overrides):
    data = {
        "investment_this_month": "300",
        "investment_cumulative": "1200",
        "funds_this_month": "200",
        "image_progress": "主体厂房封顶",
        "problems": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_home_shows_the_month_due_and_its_status(world, client_for):
    client = client_for("enterprise")
    page = client.get(reverse("portal:reports"))
    assert page.status_code == 200
    html = page.content.decode()
    assert world.project1_a.name in html
    assert _new_url(world.project1_a) in html  # May is not filed: overdue since 06-05
    assert "2026-06-05" in html
    assert world.project2_a.name not in html  # another enterprise's


@pytest.mark.django_db
def test_the_contact_files_its_month_and_sees_it_in_history(world, client_for):
    client = client_for("enterprise")
    project = world.project1_a
    assert client.get(_new_url(project)).status_code == 200
    answer = client.post(_new_url(project), _post())
    assert answer.status_code == 302, answer.content.decode()[:3000]
    report = MonthlyReport.objects.get(project=project, month=MAY)
    assert report.submitted_by == world.user_enterprise
    assert report.investment_cumulative == Decimal("1200")
    history = client.get(reverse("portal:report_history", args=[project.pk])).content.decode()
    assert reverse("portal:report", args=[report.pk]) in history
    # A filed month opens read-only; its form is reached as a correction.
    assert client.get(_new_url(project)).status_code == 302
    detail = client.get(reverse("portal:report", args=[report.pk]))
    assert detail.status_code == 200
    assert "?correct=1" in detail.content.decode()


@pytest.mark.django_db
def test_every_problem_at_once_as_on_the_staff_form(world, client_for):
    client = client_for("enterprise")
    project = world.project1_a
    answer = client.post(
        _new_url(project),
        _post(investment_this_month="-5", investment_cumulative="", image_progress=""),
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert {"investment_this_month", "investment_cumulative", "image_progress"} <= set(form.errors)
    assert not MonthlyReport.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_change_to_a_filed_month_is_a_correction_with_its_reason(world, client_for):
    project = world.project1_a
    submit_monthly_report(
        world.user_bureau,
        project,
        {
            "month": MAY,
            "investment_this_month": Decimal("300"),
            "investment_cumulative": Decimal("1200"),
            "image_progress": "封顶",
        },
    )
    client = client_for("enterprise")
    refused = client.post(_new_url(project), _post(investment_cumulative="1100"))
    assert refused.status_code == 400
    assert "investment_cumulative" in refused.context["form"].errors
    corrected = client.post(
        _new_url(project),
        _post(investment_cumulative="1100", is_correction="on", correction_reason="重复计入设备款"),
    )
    assert corrected.status_code == 302
    report = MonthlyReport.objects.get(project=project, month=MAY)
    assert report.is_correction and report.cumulative_before == Decimal("1200")


@pytest.mark.django_db
def test_output_and_tax_are_asked_once_producing(world, client_for):
    project = world.project1_a
    client = client_for("enterprise")
    form = client.get(_new_url(project)).context["form"]
    assert "output_this_month" not in form.fields and "jobs" in form.fields


@pytest.mark.django_db
def test_an_enterprise_upload_waits_for_the_staff(world, client_for):
    project = world.project1_a
    client = client_for("enterprise")
    page = client.get(reverse("portal:documents", args=[project.pk]))
    assert page.status_code == 200
    material = page.context["form"].fields["material_type"].queryset.first()
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    answer = client.post(
        reverse("portal:document_upload", args=[project.pk]),
        {"material_type": material.pk, "file": upload, "note": ""},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    version = DocumentVersion.objects.get(document__project=project)
    assert version.submitted_by_enterprise and version.awaits_confirmation
    listing = client.get(reverse("portal:documents", args=[project.pk]))
    assert [v.pk for v in listing.context["uploads"]] == [version.pk]
    assert 'data-testid="upload-status"' in listing.content.decode()
    # The staff confirm it on the project's documents page.
    staff = client_for("bureau")
    listed = staff.get(reverse("projects:documents", args=[project.pk])).content.decode()
    assert reverse("projects:document_confirm", args=[project.pk]) in listed
    done = staff.post(
        reverse("projects:document_confirm", args=[project.pk]), {"version": version.pk}
    )
    assert done.status_code == 302
    version.refresh_from_db()
    assert version.confirmed_by == world.user_bureau and not version.awaits_confirmation
    assert staff.post(reverse("projects:document_confirm", args=[project.pk])).status_code == 400


@pytest.mark.django_db
def test_an_empty_post_is_refused_and_changes_nothing(world, client_for):
    client = client_for("enterprise")
    assert client.post(_new_url(world.project1_a), {}).status_code == 400
    assert not MonthlyReport.objects.exists()
    other = reverse("portal:report_new", args=[world.project2_a.pk, 2026, 5])
    assert client.post(other, _post()).status_code == 404
    assert client_for("bureau").post(_new_url(world.project1_a), _post()).status_code == 403
    assert not MonthlyReport.objects.exists()


@pytest.mark.django_db
def test_a_correction_starts_from_the_figures_as_filed(world, client_for):
    report = submit_monthly_report(
        world.user_enterprise,
        world.project1_a,
        {
            "month": MAY,
            "investment_this_month": Decimal("300"),
            "investment_cumulative": Decimal("1200"),
            "image_progress": "封顶",
        },
    )
    page = client_for("enterprise").get(_new_url(world.project1_a) + "?correct=1")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["investment_cumulative"] == report.investment_cumulative
    assert form.initial["is_correction"] is True
