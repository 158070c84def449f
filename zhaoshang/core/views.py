"""Home, health check and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from zhaoshang.core import roles
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role


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


@login_required
def home(request):
    """My work by role: the projects I serve, the district's funnel, recent events."""
    from zhaoshang.notifications.models import Notification
    from zhaoshang.projects.choices import STAGE_ORDER, Condition, Stage
    from zhaoshang.projects.models import Project

    user = request.user
    visible = Project.objects.visible_to(user)
    by_stage = dict(visible.values_list("stage").annotate(n=Count("id")).order_by())
    funnel = [(Stage(s).label, s, by_stage.get(s, 0)) for s in STAGE_ORDER]
    exits = [(Stage(s).label, s, by_stage.get(s, 0)) for s in (Stage.TERMINATED, Stage.EXITED)]
    mine = None
    if not roles.sees_all_districts(user):
        mine = visible.of_user(user).with_list_data().order_by("-updated_at")[:12]
    if roles.has_role(user, Role.PARK) and user.park_id:
        mine = visible.with_list_data().order_by("-updated_at")[:12]
    attention = (
        visible.exclude(condition=Condition.NORMAL)
        .select_related("park", "enterprise")
        .order_by("-updated_at")[:8]
    )
    events = list(
        DomainEvent.objects.visible_to(user)
        # Events about a project (not e.g. an import, whose subject is the district).
        .filter(
            verb__startswith="project.",
            content_type__app_label="projects",
            content_type__model="project",
        )
        .exclude(verb="project.deleted")
        .select_related("actor")[:10]
    )
    names = dict(
        Project.objects.filter(pk__in={e.object_id for e in events}).values_list("pk", "name")
    )
    for event in events:
        event.project_name = names.get(event.object_id, "")
    districts = None
    if roles.sees_all_districts(user):
        districts = (
            Project.objects.values("district_id", "district__name")
            .annotate(
                total=Count("id"),
                signed=Count("id", filter=Q(signed_on__isnull=False)),
                started=Count("id", filter=Q(started_on__isnull=False)),
                investment=Sum("total_investment"),
            )
            .order_by("district_id")
        )
    unread = Notification.objects.visible_to(user).unread().order_by("-created_at")[:5]
    return render(
        request,
        "core/home.html",
        {
            "funnel": funnel,
            "exits": exits,
            "total": sum(by_stage.values()),
            "mine": mine,
            "attention": attention,
            "events": events,
            "districts": districts,
            "unread": unread,
        },
    )


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
