"""``manage.py worker`` runs a real enqueued task end-to-end on each backend, and the RQ
worker survives its Redis going away and coming back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from zhaoshang.notifications.models import OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import notify

ROOT = Path(__file__).resolve().parents[3]


def _queue_a_message(world, capture):
    world.user_leader.email = "leader@example.gov.cn"
    world.user_leader.save()
    with capture(execute=True):  # notify() enqueues the delivery task on commit
        notify([world.user_leader], "project.started", "项目已开工", url="/projects/1/")
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING  # queued, not yet delivered
    return message


def test_the_database_worker_runs_the_enqueued_delivery(committed_db):
    """Committed data: the worker loop drops and reopens its connection between tasks."""
    from django_tasks_db.models import DBTaskResult

    message = _queue_a_message(committed_db, lambda execute: nullcontext())
    result = DBTaskResult.objects.get()
    assert result.status == "READY"
    call_command("worker", "--burst", verbosity=0)
    result.refresh_from_db()
    message.refresh_from_db()
    assert result.status == "SUCCESSFUL" and result.return_value == 1
    assert message.status == OutboxStatus.SENT
    assert [m.subject for m in mail.outbox] == ["项目已开工"]


def test_the_rq_worker_runs_the_enqueued_delivery_with_django_set_up(
    world, rq_backend, django_capture_on_commit_callbacks
):
    import django_rq

    message = _queue_a_message(world, django_capture_on_commit_callbacks)
    queue = django_rq.get_queue("default")
    assert queue.count == 1  # the job waits in Redis
    # SimpleWorker runs the job in this process (the test's database transaction); the
    # forking default is exercised by the subprocess test below.
    call_command("worker", "--burst", "--worker-class", "rq.SimpleWorker", verbosity=0)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [m.subject for m in mail.outbox] == ["项目已开工"]
    assert queue.count == 0
    job_id = queue.finished_job_registry.get_job_ids()[0]
    from django_tasks import task_backends

    assert task_backends["default"].get_result(job_id).return_value == 1


def test_the_worker_refuses_an_unknown_queue(world, rq_backend):
    with pytest.raises(CommandError, match="Unknown queue nope"):
        call_command("worker", "--burst", "--queue", "nope")


def test_a_bounded_worker_fails_clearly_when_redis_is_down(world, rq_backend):
    rq_backend.stop()
    with pytest.raises(CommandError, match="The worker stopped"):
        call_command("worker", "--burst", verbosity=0)


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(extra)
    return env


def test_the_rq_worker_process_survives_redis_going_away(rq_backend, tmp_path):
    """The documented command, as an operator starts it (the default forking worker): it
    stays up while Redis is down and runs tasks again once Redis is back."""
    from django_tasks import TaskResultStatus

    from zhaoshang.ops.tasks import ping

    env = _env(
        TASKS_BACKEND="rq",
        REDIS_URL=rq_backend.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def runs_a_task(timeout: float) -> bool:
        result = ping.enqueue()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL:
                return result.return_value == "pong"
            time.sleep(0.2)
        return False

    try:
        assert runs_a_task(30), "the worker did not run the task"
        rq_backend.stop()
        time.sleep(3)
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        rq_backend.start()  # same port, empty
        assert runs_a_task(60), "the worker did not come back with Redis"
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, worker.stderr.read().decode()[-2000:]


def test_the_documented_rq_worker_delivers_a_notification(committed_db, rq_backend):
    """notify() → the delivery task in Redis → ``manage.py worker --burst`` (the default
    forking RQ worker, as in production) → the message is sent."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a shared database")
    d = connection.settings_dict
    url = f"postgres://{d['USER']}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"
    message = _queue_a_message(committed_db, lambda execute: nullcontext())
    done = subprocess.run(
        [sys.executable, "manage.py", "worker", "--burst"],
        cwd=ROOT,
        env=_env(
            TASKS_BACKEND="rq",
            REDIS_URL=rq_backend.url,
            DATABASE_URL=url,
            EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        ),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert "leader@example.gov.cn" in done.stdout.decode()
