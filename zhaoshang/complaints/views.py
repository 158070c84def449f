"""Complaint pages (SPEC §9): the supervision office's complaint desk (投诉台) with its
lights, receiving a complaint, and the complaint page with its record and actions.

Every change goes through ``complaints.services``; a complaint outside the user's scope is
a 404; the complainant's contact is shown only where ``Complaint.contact_for`` allows.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.complaints import permissions, services
from zhaoshang.complaints.actions import ACTIONS, ACTIONS_BY_SLUG
from zhaoshang.complaints.choices import ComplaintStatus
from zhaoshang.complaints.forms import ReceiveForm
from zhaoshang.complaints.models import Complaint
from zhaoshang.core import roles
from zhaoshang.core.audit import event_label
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import paginate


def _today() -> datetime.date:
    return timezone.localdate()


def _queryset(request):
    return (
        Complaint.objects.visible_to(request.user)
        .with_days_left(_today())
        .select_related("enterprise", "project", "department", "district", "received_by")
    )


def _may_receive(request) -> bool:
    district_id = request.user.district_id
    return district_id is not None and permissions.can_receive(request.user, district_id)


@login_required
def complaint_list(request):
    qs = _queryset(request)
    status = request.GET.get("status", "")
    if status in ComplaintStatus.values:
        qs = qs.filter(status=status)
    qs = qs.order_by(F("days_left").asc(nulls_last=True), "-received_on", "-id")
    return render(
        request,
        "complaints/list.html",
        {
            "page": paginate(request, qs),
            "statuses": ComplaintStatus.choices,
            "status": status,
            "show_district": roles.sees_all_districts(request.user),
            "can_receive": _may_receive(request),
        },
    )


@login_required
def complaint_create(request):
    if not _may_receive(request):
        raise PermissionDenied
    district = request.user.district
    form = ReceiveForm(request.POST or None, district_id=district.pk)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.receive_complaint(
                request.user, district=district, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The complaint %(number)s has been received.") % {"number": complaint.number},
            )
            return redirect(complaint)
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/form.html", {"form": form}, status=status)


def _context(request, complaint, bound=None, stale: str = "") -> dict:
    user = request.user
    actions = []
    for action in ACTIONS:
        if not (action.applies(complaint) and action.allowed(user, complaint)):
            continue
        form = bound if bound is not None and bound.action == action.slug else None
        if form is None:
            form = action.form(record=complaint, auto_id=f"id_{action.slug}_%s")
            form.action = action.slug
        actions.append((action, form, f"{complaint.get_absolute_url()}{action.slug}/"))
    events = list(
        DomainEvent.objects.for_object(complaint)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    return {
        "complaint": complaint,
        "contact": complaint.contact_for(user),
        "contact_hidden": not permissions.can_see_contact(user, complaint),
        "events": events,
        "actions": actions,
        "stale": stale,
    }


@login_required
def complaint_detail(request, pk):
    complaint = get_object_or_404(_queryset(request), pk=pk)
    return render(request, "complaints/detail.html", _context(request, complaint))


@login_required
@require_POST
def complaint_action(request, pk, action):
    complaint = get_object_or_404(_queryset(request), pk=pk)
    spec = ACTIONS_BY_SLUG[action]
    if not spec.allowed(request.user, complaint):
        raise PermissionDenied
    form = spec.form(request.POST, record=complaint, auto_id=f"id_{spec.slug}_%s")
    form.action = spec.slug
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            spec.run(request.user, complaint, data, data.pop("version", None))
        except ConcurrentEditError as exc:
            fresh = get_object_or_404(_queryset(request), pk=pk)
            context = _context(request, fresh, stale=" ".join(exc.messages))
            return render(request, "complaints/detail.html", context, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, str(spec.done))
            return redirect("complaints:detail", pk=complaint.pk)
    return render(
        request, "complaints/detail.html", _context(request, complaint, bound=form), status=400
    )
