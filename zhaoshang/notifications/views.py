"""The in-app inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.views_helpers import paginate
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import link_for, mark_read


@login_required
def inbox(request):
    qs = Notification.objects.visible_to(request.user)
    if request.GET.get("unread"):
        qs = qs.unread()
    return render(
        request,
        "notifications/inbox.html",
        {"page": paginate(request, qs, 30), "only_unread": bool(request.GET.get("unread"))},
    )


@login_required
def open_notification(request, pk):
    note = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if note.read_at is None:
        note.read_at = clock.now()
        note.save(update_fields=["read_at"])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        # (a message written before the portal had the page: an enterprise user's link
        # is its portal page all the same)
        return redirect(link_for(request.user, note.url))
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    mark_read(request.user)
    return redirect("notifications:inbox")
