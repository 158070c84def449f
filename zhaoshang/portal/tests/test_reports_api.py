"""The portal API of reporting: an enterprise's own reports and uploads, submitted through
the staff's form and services (the same checks, every problem at once)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.projects.models import DocumentVersion, MonthlyReport
from zhaoshang.testing.factories import MonthlyReportFactory

REPORTS = reverse("api:portal-report-list")
DOCUMENTS = reverse("api:portal-document-list")


def _rows(answer):
    data = answer.json()
    return data["results"] if isinstance(data, dict) else data


@pytest.mark.django_db
def test_the_list_holds_the_enterprise_s_own_reports_only(world, client_for):
    own = MonthlyReportFactory(project=world.project1_a, submitted_by=world.user_bureau)
    other = MonthlyReportFactory(project=world.project2_a, submitted_by=world.user_bureau)
    client = client_for("enterprise")
    answer = client.get(REPORTS)
    assert answer.status_code == 200
    assert [row["id"] for row in _rows(answer)] == [own.pk]
    assert client.get(reverse("api:portal-report-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("api:portal-report-detail", args=[other.pk])).status_code == 404
    assert client_for("bureau").get(REPORTS).status_code == 403


@pytest.mark.django_db
def test_submitting_a_report(world, client_for):
    client = client_for("enterprise")
    body = {
        "project": world.project1_a.pk,
        "month": "2026-05",
        "investment_this_month": "300",
        "investment_cumulative": "1200",
        "funds_this_month": "100",
        "jobs": 40,
        "image_progress": "钢结构吊装",
    }
    answer = client.post(REPORTS, body, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["investment_cumulative"] == "1200.00"
    report = MonthlyReport.objects.get(project=world.project1_a)
    assert report.jobs == 40 and report.submitted_by == world.user_enterprise


@pytest.mark.django_db
def test_every_problem_of_a_report_at_once(world, client_for):
    client = client_for("enterprise")
    body = {
        "project": world.project1_a.pk,
        "month": "2026-07",  # a future month
        "investment_this_month": "-1",
        "investment_cumulative": "abc",
        "funds_this_month": "0",
        "image_progress": "",
        "output_this_month": "10",  # not producing yet: the form does not take it
    }
    answer = client.post(REPORTS, body, content_type="application/json")
    assert answer.status_code == 400
    errors = answer.json()
    assert {"month", "investment_this_month", "investment_cumulative", "image_progress"} <= set(
        errors
    )
    assert not MonthlyReport.objects.exists()
    other = client.post(
        REPORTS, {**body, "project": world.project2_a.pk}, content_type="application/json"
    )
    assert other.status_code == 400
    assert {"project", "investment_cumulative", "image_progress"} <= set(other.json())


@pytest.mark.django_db
def test_an_upload_waits_for_confirmation(world, client_for):
    client = client_for("enterprise")
    upload = SimpleUploadedFile("license.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    answer = client.post(
        DOCUMENTS,
        {"project": world.project1_a.pk, "material_type": "business_license", "file": upload},
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["awaits_confirmation"] is True
    assert DocumentVersion.objects.get().submitted_by_enterprise
    listed = _rows(client.get(DOCUMENTS))
    assert [row["id"] for row in listed] == [answer.json()["id"]]
    refused = client.post(DOCUMENTS, {"project": world.project2_a.pk})
    assert refused.status_code == 400
    assert DocumentVersion.objects.count() == 1


@pytest.mark.django_db
def test_every_problem_of_an_upload_at_once(world, client_for):
    client = client_for("enterprise")
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    answer = client.post(DOCUMENTS, {"project": world.project2_a.pk, "file": bad})
    assert answer.status_code == 400
    assert {"project", "material_type", "file"} <= set(answer.json())
    assert not DocumentVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REPORTS, DOCUMENTS])
def test_a_body_that_is_not_an_object_is_a_400(client_for, url):
    answer = client_for("enterprise").post(url, [1, 2], content_type="application/json")
    assert answer.status_code == 400 and "non_field_errors" in answer.json()
