"""The ratings pages (好差评, SPEC §9): the list of the enterprises' ratings with its
filters (a department handler sees those of its department), a rating with the record it
rates, and the supervision office's follow-up of a 不满意.

Every change goes through ``ratings.services``; a rating outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import roles
from zhaoshang.core.actions import form_post
from zhaoshang.core.audit import event_label
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.services import require
from zhaoshang.core.views_helpers import paginate
from zhaoshang.ratings import permissions, services
from zhaoshang.ratings.forms import FollowUpForm, RatingFilterForm
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.subjects import SUBJECTS, attach_records


def _queryset(request):
    return Rating.objects.visible_to(request.user).select_related(
        "district", "enterprise", "project", "department", "rated_by", "followed_up_by"
    )


def filtered_ratings(request):
    """The ratings the list shows, filtered as the query string says (the home's counts
    use it too)."""
    form = RatingFilterForm(request.GET or None, user=request.user)
    qs = _queryset(request)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        if data.get("score"):
            qs = qs.filter(score=data["score"])
        if data.get("kind"):
            qs = qs.filter(subject_kind=data["kind"])
        if data.get("open"):
            qs = qs.followup_open()
    return form, qs


@login_required
def rating_list(request):
    require(permissions.can_read(request.user))
    form, qs = filtered_ratings(request)
    page = paginate(request, qs.order_by("-rated_on", "-id"))
    attach_records(page.object_list)
    return render(
        request,
        "ratings/list.html",
        {
            "form": form,
            "page": page,
            "show_district": roles.sees_all_districts(request.user),
            "open_count": Rating.objects.visible_to(request.user).followup_open().count(),
        },
    )


def _context(request, rating, form=None) -> dict:
    attach_records([rating])
    events = list(
        DomainEvent.objects.for_object(rating).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    may_follow_up = rating.is_followup_open and permissions.can_follow_up(request.user, rating)
    if form is None and may_follow_up:
        form = FollowUpForm()
    record = rating.record
    return {
        "rating": rating,
        "record_url": SUBJECTS[rating.subject_kind].staff_url(record) if record else "",
        "events": events,
        "form": form if may_follow_up else None,
    }


@login_required
def rating_detail(request, pk):
    require(permissions.can_read(request.user))
    rating = get_object_or_404(_queryset(request), pk=pk)
    return render(request, "ratings/detail.html", _context(request, rating))


@login_required
@require_POST
def rating_follow_up(request, pk):
    rating = get_object_or_404(_queryset(request), pk=pk)
    require(permissions.can_follow_up(request.user, rating))
    form = FollowUpForm(request.POST)

    def render_page(form, status, stale):
        if stale:
            form.add_error(None, stale)
        return render(
            request, "ratings/detail.html", _context(request, rating, form), status=status
        )

    return form_post(
        request,
        form,
        lambda data: services.follow_up(
            request.user, rating, note=data.get("note") or "", confirmed=data.get("confirmed")
        ),
        render_page=render_page,
        redirect_to=rating.get_absolute_url(),
        success=_("The follow-up has been recorded; the enterprise has been told."),
    )
