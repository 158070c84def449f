"""The operations page: the outbox (pending, failed with the reason, delivered) and the
scheduled jobs (last run, next planned time); a failed message can be queued again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.services import require
from zhaoshang.core.views_helpers import paginate
from zhaoshang.notifications.models import OutboxStatus
from zhaoshang.notifications.services import retry_message
from zhaoshang.ops import schedule
from zhaoshang.ops.permissions import can_view_operations, outbox_visible_to


@login_required
def status_page(request):
    require(can_view_operations(request.user))
    return _render_status(request)


def _render_status(request, code: int = 200):
    outbox = outbox_visible_to(request.user)
    counts = dict(outbox.values_list("status").annotate(n=Count("id")).order_by())
    status = request.GET.get("status", "")
    if status not in OutboxStatus.values:
        status = ""
    rows = outbox.select_related("notification__recipient").order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    now = clock.now()
    last = schedule.last_runs()
    jobs = [
        {"job": job, "last": last.get(job.name), "next": job.next_slot(now)}
        for job in schedule.jobs()
    ]
    return render(
        request,
        "ops/status.html",
        {
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in OutboxStatus.choices
            ],
            "total": sum(counts.values()),
            "status": status,
            "page": paginate(request, rows, 50),
            "jobs": jobs,
        },
        status=code,
    )


@login_required
@require_POST
def retry(request, pk):
    require(can_view_operations(request.user))
    message = get_object_or_404(outbox_visible_to(request.user), pk=pk)
    try:
        retry_message(request.user, message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render_status(request, 400)
    messages.success(request, _("The message is queued again."))
    return redirect(f"{reverse('ops:status')}?status={OutboxStatus.PENDING}")
