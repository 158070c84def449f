"""Tasks of the operations app."""

import datetime

from django_tasks import task


@task()
def ping() -> str:
    """Proves a worker runs tasks (tests; ``manage.py shell -c`` when setting up a server)."""
    return "pong"


@task()
def scan_district(district_id: int, slot: str) -> str:
    """One district's daily scan for the scheduler's slot (an ISO moment), queued by
    ``ops.jobs.fan_out``: claimed once per (district, slot) and recorded as an
    ``ops.JobRun``. A failed scan fails the task too, with the run's error."""
    from zhaoshang.ops.jobs import scan_district as scan
    from zhaoshang.ops.models import RunStatus

    run = scan(district_id, datetime.datetime.fromisoformat(slot))
    if run is None:
        return "already run"
    if run.status == RunStatus.FAILED:
        raise RuntimeError(run.error)
    return run.result
