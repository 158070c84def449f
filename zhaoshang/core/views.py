"""Home, health check and error pages."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """200 when the app and its database answer, 503 when the database does not.

    The cache, the task backend (and, through ``HEALTH_CHECKS``, the scheduler) are reported
    separately: a failure of one of them gives ``"status": "degraded"`` with 200, since every
    web process shares them and taking this one out of the load balancer would not help —
    monitors alert on any status other than ``ok``."""
    import logging

    from django.conf import settings
    from django.utils.module_loading import import_string

    log = logging.getLogger(__name__)
    report = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        log.exception("health: the database does not answer")
        report.update(status="error", database="unavailable")
        return JsonResponse(report, status=503)
    report["database"] = "ok"
    checks = [("cache", _cache_answers), ("tasks", _task_backend_answers)]
    checks += [(None, import_string(path)) for path in getattr(settings, "HEALTH_CHECKS", [])]
    for name, check in checks:
        try:
            result = check()
        except Exception:  # noqa: BLE001 - reported, never a 500
            log.exception("health: %s does not answer", name or check.__name__)
            result = "unavailable" if name else {check.__name__: "unavailable"}
        if name is not None:
            result = {name: result}
        for key, value in result.items():
            report[key] = value
            if value in ("unavailable", "stale"):
                report["status"] = "degraded"
    return JsonResponse(report)


def _cache_answers() -> str:
    """Every configured cache stores and returns a value: the default one and the shared
    counters of the limits (the database cache table in the embedded set-up, where the
    default cache is the process's own memory)."""
    import secrets

    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        cache = caches[alias]
        token = secrets.token_hex(8)
        cache.set("healthz", token, 30)
        if cache.get("healthz") != token:
            return "unavailable"
    return "ok"


def _task_backend_answers() -> str:
    """The task backend can take work: Redis answers (RQ), or the task table does
    (database backend); the immediate backend needs nothing."""
    from django_tasks import task_backends

    backend = task_backends["default"]
    path = f"{type(backend).__module__}.{type(backend).__name__}"
    if path.startswith("django_tasks_rq."):
        import redis
        from django.conf import settings

        for queue in backend.queues:
            url = settings.RQ_QUEUES[queue]["URL"]
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
        return "ok"
    if path.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("pk").first()
    return "ok"


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
