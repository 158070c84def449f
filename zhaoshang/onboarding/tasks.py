"""Checking and importing large ledgers in the background (Django tasks API)."""

from django_tasks import task

from zhaoshang.onboarding.services import run_task


@task()
def run_batch(batch_id: int, user_id: int, action: str) -> str:
    """Check ("check") or import ("import") the batch; the page polls its progress."""
    return run_task(batch_id, user_id, action)
