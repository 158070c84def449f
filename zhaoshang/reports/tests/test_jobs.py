"""Large reports are produced in the background (Django tasks) with progress; small ones
inline. Tests run the immediate backend."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.reports.choices import JobAction, JobStatus, Kind, Period
from zhaoshang.reports.models import IssuedReport, ReportJob
from zhaoshang.reports.tests.factories import add_project

pytestmark = pytest.mark.usefixtures("immediate_tasks")


@pytest.fixture
def small_limit(settings):
    settings.REPORTS_INLINE_MAX_PROJECTS = 2


def test_a_small_report_is_shown_inline(client_for, world):
    response = client_for("bureau").get(
        reverse("reports:report", args=["monthly"]), {"period": "2026-05"}
    )
    assert response.status_code == 200
    assert "figures" in response.context and not response.context.get("background")


def test_a_large_report_runs_as_a_task_with_progress(
    client_for, world, small_limit, django_capture_on_commit_callbacks, monkeypatch
):
    for _i in range(3):
        add_project(world)
    seen = []
    from zhaoshang.reports import services

    original = services.figures.build

    def spy(*args, progress, **kwargs):
        def record(percent):
            seen.append(percent)
            progress(percent)

        return original(*args, progress=record, **kwargs)

    monkeypatch.setattr(services.figures, "build", spy)
    client = client_for("bureau")
    url = reverse("reports:report", args=["monthly"])
    response = client.get(url, {"period": "2026-05"})
    assert response.context["background"] and "figures" not in response.context
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:generate", args=["monthly"]), {"period": "2026-05"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and f"job={job.pk}" in response["Location"]
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert seen[0] == 10 and seen[-1] == 100 and seen == sorted(seen)
    assert job.figures["project_count"] == 4
    # Polling: the fragment tells htmx to show the finished report.
    poll = client.get(reverse("reports:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "job=" in poll["HX-Redirect"]
    response = client.get(url, {"period": "2026-05", "job": job.pk, "live": "1"})
    assert response.context["figures"]["project_count"] == 4


def test_a_job_in_progress_shows_its_progress(client_for, world):
    job = ReportJob.objects.create(
        district=world.district_a,
        kind=Kind.MONTHLY,
        period="2026-05",
        requested_by=world.user_bureau,
        status=JobStatus.RUNNING,
        progress=40,
    )
    response = client_for("bureau").get(reverse("reports:job", args=[job.pk]))
    body = response.content.decode()
    assert 'aria-valuenow="40"' in body and "hx-trigger" in body


def test_issuing_a_large_report_runs_in_the_background(
    client_for, world, small_limit, django_capture_on_commit_callbacks
):
    for _i in range(3):
        add_project(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("bureau").post(
            reverse("reports:issue", args=["monthly"]), {"period": "2026-05"}
        )
    job = ReportJob.objects.get()
    assert job.action == JobAction.ISSUE and job.status == JobStatus.DONE
    report = IssuedReport.objects.get()
    assert job.issued_id == report.pk and report.project_count == 4
    assert response.status_code == 302


def test_running_a_job_twice_changes_nothing(world):
    from zhaoshang.reports import services

    job = ReportJob.objects.create(
        district=world.district_a,
        kind=Kind.QUARTERLY,
        period="2026-Q1",
        requested_by=world.user_supervisor,
    )
    services.run_job(job.pk)
    done = ReportJob.objects.get(pk=job.pk)
    services.run_job(job.pk)
    assert ReportJob.objects.get(pk=job.pk).finished_at == done.finished_at
    assert Period(Kind.QUARTERLY, done.period).quarter == 1
