"""Each department's commitments and open milestones, with their lights."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.shortcuts import render

from zhaoshang.agreements.forms import (
    CommitmentFilterForm,
    MilestoneFilterForm,
)
from zhaoshang.agreements.models import (
    Commitment,
    Milestone,
)
from zhaoshang.agreements.views.common import (
    LIGHT_ORDER,
    days_left_text,
    own_department_only,
)
from zhaoshang.core import clock, roles
from zhaoshang.core.views_helpers import paginate

# ---------------------------------------------------------------------------------------
# A department's commitments and milestones


def filtered_commitments(request, today):
    user = request.user
    own = own_department_only(user)
    form = CommitmentFilterForm(request.GET or None, user=user, own_department_only=own)
    qs = Commitment.objects.visible_to(user).with_progress(today)
    if own:
        qs = qs.filter(department_id=user.department_id)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        if data.get("light"):
            qs = qs.filter(light=data["light"])
        state = data.get("state")
        if state == "open":
            qs = qs.filter(completed_on__isnull=True)
        elif state == "completed":
            qs = qs.filter(completed_on__isnull=False)
        elif state == "unfiled":
            qs = qs.filter(Q(filed_version=0) | Q(changed_since_filing=True))
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(
                Q(title__icontains=text)
                | Q(project__name__icontains=text)
                | Q(project__code__icontains=text)
            )
    return (
        form,
        qs.annotate(light_order=LIGHT_ORDER).order_by("light_order", "target_on", "id"),
        own,
    )


@login_required
def commitment_list(request):
    today = clock.today()
    form, qs, own = filtered_commitments(request, today)
    qs = qs.select_related("project", "department", "owner")
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
    page = paginate(request, qs)
    return render(
        request,
        "agreements/commitments.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own,
            "department": request.user.department if own else None,
            "show_district": roles.sees_all_districts(request.user),
            "today": today,
        },
    )


@login_required
def milestone_list(request):
    today = clock.today()
    user = request.user
    own = own_department_only(user)
    form = MilestoneFilterForm(request.GET or None, user=user, own_department_only=own)
    qs = Milestone.objects.visible_to(user).open().with_state(today)
    if own:
        qs = qs.filter(
            Q(owner_department_id=user.department_id)
            | Q(commitment__department_id=user.department_id)
        )
    if form.is_valid():
        data = form.cleaned_data
        if data.get("department"):
            qs = qs.filter(owner_department=data["department"])
        if data.get("light"):
            qs = qs.filter(light=data["light"])
    qs = qs.select_related(
        "commitment__project", "commitment__department", "owner_department", "owner"
    ).order_by(F("days_left").asc(nulls_last=True), "due_on", "id")
    page = paginate(request, qs)
    for m in page:
        m.days_left_text = days_left_text(m)
    return render(
        request,
        "agreements/milestones.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own,
            "department": user.department if own else None,
        },
    )
