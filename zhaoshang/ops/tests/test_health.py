"""/healthz: the database, the cache, the task backend and the scheduler reported separately;
answered over plain HTTP, for any host name, before the portal boundary."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhaoshang.ops.models import JobRun, RunStatus


def _health(client, **extra):
    response = client.get("/healthz", **extra)
    return response.status_code, response.json()


def test_everything_answers(client, db):
    code, body = _health(client)
    assert code == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "tasks": "ok",
        "scheduler": "unknown",  # no job has run yet: not a fault
    }


def test_a_broken_database_is_503(client, db, monkeypatch):
    from zhaoshang.core import views

    class Broken:
        def cursor(self):
            raise RuntimeError("down")

    monkeypatch.setattr(views, "connection", Broken())
    code, body = _health(client)
    assert code == 503
    assert body == {"status": "error", "database": "unavailable"}


def test_a_broken_cache_is_reported_degraded_not_503(client, db, monkeypatch):
    from django.core.cache import caches

    cache = caches["default"]

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", down)
    code, body = _health(client)
    assert code == 200
    assert (body["status"], body["cache"], body["database"]) == ("degraded", "unavailable", "ok")


def test_a_cache_that_loses_what_it_stores_is_unavailable(client, db, monkeypatch):
    from django.core.cache import caches

    monkeypatch.setattr(caches["default"], "get", lambda *a, **k: None)
    assert _health(client)[1]["cache"] == "unavailable"


def test_the_task_table_is_checked_on_the_database_backend(client, db, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    def broken(*args, **kwargs):
        raise RuntimeError("no such table")

    monkeypatch.setattr(DBTaskResult.objects, "only", broken)
    code, body = _health(client)
    assert (code, body["status"], body["tasks"]) == (200, "degraded", "unavailable")


def test_redis_is_checked_on_the_rq_backend(client, db, rq_backend):
    assert _health(client)[1]["tasks"] == "ok"
    rq_backend.stop()
    code, body = _health(client)
    assert (code, body["status"], body["tasks"]) == (200, "degraded", "unavailable")


def test_the_scheduler_is_stale_when_no_job_started_for_long(client, db, settings):
    settings.SCHEDULE_OUTBOX_SECONDS = 60
    now = timezone.now()
    run = JobRun.objects.create(
        job="outbox_sweep", slot=now, started_at=now - datetime.timedelta(seconds=100)
    )
    body = _health(client)[1]
    assert (body["scheduler"], body["scheduler_last_run_seconds"]) == ("ok", 100)
    run.started_at = now - datetime.timedelta(seconds=301)
    run.status = RunStatus.SUCCEEDED
    run.save()
    code, body = _health(client)
    assert (code, body["status"], body["scheduler"]) == (200, "degraded", "stale")
    settings.HEALTH_SCHEDULER_MAX_AGE = 600
    assert _health(client)[1]["scheduler"] == "ok"


@pytest.mark.parametrize("host", ["10.0.0.7", "lb-probe.internal"])
def test_plain_http_and_any_host_in_production(client, db, settings, host):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["zs.example.gov.cn"]
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert "Location" not in response
    # Every other page still redirects to HTTPS and checks the host name.
    assert client.get("/", HTTP_HOST="zs.example.gov.cn").status_code == 301
    assert client.get("/", HTTP_HOST=host).status_code == 400


def test_the_redirect_exemption_holds_without_the_middleware(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "zhaoshang.ops.middleware.HealthCheckMiddleware"
    ]
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_an_enterprise_user_reaches_it(client_for):
    assert client_for("enterprise").get("/healthz").status_code == 200


def test_head_answers_and_other_methods_do_not(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_the_shared_limits_cache_is_checked_too(client, db, monkeypatch):
    """In the embedded set-up the default cache is the process's memory; the counters that
    must hold across processes are in the "limits" cache, which health checks as well."""
    from django.core.cache import caches

    monkeypatch.setattr(caches["limits"], "get", lambda *a, **k: None)
    assert _health(client)[1]["cache"] == "unavailable"
