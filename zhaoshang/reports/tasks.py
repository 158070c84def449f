"""Background generation of large reports (Django tasks API)."""

from django_tasks import task

from zhaoshang.reports.services import run_job


@task()
def generate_report(job_id: int) -> int:
    return run_job(job_id).progress
