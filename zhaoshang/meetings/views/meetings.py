"""The meeting pages: the list, scheduling and editing, the meeting with its agenda,
its decisions and its minutes (SPEC §10)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.approvals import permissions as approval_permissions
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock, roles
from zhaoshang.core.actions import (
    button_post,
    form_page,
    form_post,
    make_form,
    record_action_view,
)
from zhaoshang.core.views_helpers import paginate
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.actions import MEETING_ACTIONS
from zhaoshang.meetings.forms import (
    AgendaItemForm,
    MeetingFilterForm,
    MeetingForm,
)
from zhaoshang.meetings.models import ActionItem, AgendaItem, Decision, Meeting
from zhaoshang.meetings.views._common import (
    days_left_text,
    may_create,
    record_events,
)


def _count(model, **filters):
    """A correlated count subquery for list rows (no join that multiplies rows)."""
    return Coalesce(
        Subquery(
            model.objects.filter(**filters)
            .order_by()
            .values(*filters)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


@login_required
def meeting_list(request):
    user = request.user
    form = MeetingFilterForm(request.GET or None)
    qs = Meeting.objects.visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("year"):
            qs = qs.filter(held_on__year=data["year"])
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(title__icontains=text) | Q(number__icontains=text) | Q(place__icontains=text)
            )
    qs = (
        qs.select_related("chair", "district")
        .annotate(
            agenda_count=_count(AgendaItem, meeting=OuterRef("pk")),
            decision_count=_count(Decision, meeting=OuterRef("pk")),
            item_count=_count(ActionItem, decision__meeting=OuterRef("pk")),
        )
        .order_by("-held_on", "-id")
    )
    can_schedule = may_create(request, permissions.can_schedule)
    waiting = 0
    if can_schedule:
        waiting = services.escalated_needs(user.district).count()
    return render(
        request,
        "meetings/list.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "can_schedule": can_schedule,
            "waiting_needs": waiting,
            "show_district": roles.sees_all_districts(user),
        },
    )


def _meeting_queryset(request):
    return Meeting.objects.visible_to(request.user).select_related(
        "chair", "created_by", "district"
    )


def get_visible_meeting(request, pk) -> Meeting:
    return get_object_or_404(_meeting_queryset(request), pk=pk)


def _meeting_context(
    request, meeting: Meeting, status_forms: dict | None = None, stale: str = ""
) -> dict:
    user = request.user
    today = clock.today()
    forms = status_forms or {}
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting).select_related(
            "project", "need__department", "case__item", "case__department", "case__project"
        )
    )
    items = (
        ActionItem.objects.with_days_left(today)
        .select_related("owner_department", "owner_person")
        .order_by("id")
    )
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .select_related("agenda_item", "joint_decision", "recorded_by")
        .prefetch_related(
            Prefetch("action_items", queryset=items),
            Prefetch(
                "joint_decision__cases",
                queryset=ApprovalCase.objects.select_related("item", "department"),
            ),
        )
    )
    for decision in decisions:
        for item in decision.action_items.all():
            item.days_left_text = days_left_text(item)
    can_manage = permissions.can_manage_meeting(user, meeting)
    editable = can_manage and not meeting.is_final
    context = {
        "meeting": meeting,
        "departments": list(meeting.departments.all()),
        "attendees": list(meeting.attendees.select_related("department")),
        "agenda": agenda,
        "decided_agenda": {d.agenda_item_id for d in decisions if d.agenda_item_id},
        "decisions": decisions,
        "events": record_events(meeting),
        "can_manage": can_manage,
        "editable": editable,
        "may_hold": editable and MEETING_ACTIONS["held"].applies(meeting),
        "can_joint": editable
        # The approvals' rule reads only the district of what it is given.
        and approval_permissions.can_record_joint_decision(user, meeting),
        "open_form": next(iter(forms), ""),
        "stale": stale,
    }
    if editable:
        context["agenda_form"] = forms.get("agenda_form") or AgendaItemForm(
            meeting=meeting, auto_id="id_agenda_%s"
        )
        for action in MEETING_ACTIONS:
            context[f"{action.slug}_form"] = forms.get(f"{action.slug}_form") or make_form(
                action, meeting, record_kwarg="record"
            )
    return context


@login_required
def meeting_detail(request, pk):
    meeting = get_visible_meeting(request, pk)
    return render(request, "meetings/detail.html", _meeting_context(request, meeting))


@login_required
def meeting_create(request):
    user = request.user
    if not may_create(request, permissions.can_schedule):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, district_id=user.district_id)
    return form_post(
        request,
        form,
        lambda data: services.schedule_meeting(
            user,
            district=user.district,
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            starts_at=data.get("starts_at"),
            place=data.get("place", ""),
            chair=data["chair"],
            departments=data.get("departments") or (),
            attendees=data.get("attendees") or (),
            minutes_number=data.get("minutes_number", ""),
            needs=data.get("needs") or (),
            projects=data.get("projects") or (),
            cases=data.get("cases") or (),
            topics=form.topic_lines(),
        ),
        render_page=form_page(request, "meetings/meeting_form.html"),
        redirect_to=lambda meeting: meeting.get_absolute_url(),
        success=lambda meeting: (
            _(
                "Meeting %(number)s has been scheduled; the chair and the people attending have been notified."
            )
            % {"number": meeting.number}
        ),
    )


@login_required
def meeting_edit(request, pk):
    meeting = get_visible_meeting(request, pk)
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, district_id=meeting.district_id, meeting=meeting)
    return form_post(
        request,
        form,
        lambda data: services.update_meeting(
            request.user,
            meeting,
            {name: data.get(name) for name in services.MEETING_FIELDS if name in form.changed_data},
            data.get("version"),
        ),
        render_page=form_page(request, "meetings/meeting_form.html", meeting=meeting),
        redirect_to=meeting.get_absolute_url(),
        success=_("The meeting has been saved."),
    )


def managed_meeting(request, pk) -> Meeting:
    """The meeting, when the user may manage it (403 otherwise)."""
    meeting = get_visible_meeting(request, pk)
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    return meeting


def _detail_with(request, meeting, status: int, **forms):
    return render(
        request, "meetings/detail.html", _meeting_context(request, meeting, forms), status=status
    )


@login_required
@require_POST
def agenda_add(request, pk):
    meeting = managed_meeting(request, pk)
    return form_post(
        request,
        AgendaItemForm(request.POST, meeting=meeting, auto_id="id_agenda_%s"),
        lambda data: services.add_agenda_item(request.user, meeting, **data),
        render_page=lambda form, status, stale: _detail_with(
            request, meeting, status, agenda_form=form
        ),
        redirect_to=meeting.get_absolute_url(),
        success=lambda item: _("“%(subject)s” is on the agenda.") % {"subject": item.subject},
    )


@login_required
@require_POST
def agenda_remove(request, pk, item_pk):
    meeting = managed_meeting(request, pk)
    agenda_item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    # A refusal goes back to the meeting's page (302), which shows why.
    return button_post(
        request,
        lambda: services.remove_agenda_item(request.user, agenda_item),
        redirect_to=meeting.get_absolute_url(),
        success=_("The agenda item has been removed."),
    )


def _meeting_action(request, pk, slug: str):
    """Marking the meeting held or issuing its minutes: 302, 400 with the errors on the
    form, 409 over the fresh meeting when someone changed it first."""

    def context(request, record, bound=None, stale=""):
        forms = {f"{bound.action}_form": bound} if bound is not None else {}
        return _meeting_context(request, record, forms, stale=stale)

    return record_action_view(
        request,
        _meeting_queryset(request),
        pk,
        MEETING_ACTIONS[slug],
        template="meetings/detail.html",
        context=context,
    )


@login_required
@require_POST
def meeting_held(request, pk):
    return _meeting_action(request, pk, "held")


@login_required
@require_POST
def meeting_minutes(request, pk):
    return _meeting_action(request, pk, "minutes")


@login_required
def minutes_file(request, pk):
    meeting = get_visible_meeting(request, pk)
    if not meeting.minutes_file:
        raise Http404
    try:
        handle = meeting.minutes_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=meeting.minutes_file_name)
