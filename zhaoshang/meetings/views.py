"""Meeting and supervision pages (SPEC §10): the supervision board (督办台账) with its Excel
export, the department's worklist of action items, the action item page with its record
and actions, and the meeting pages — list, scheduling, the meeting with its agenda,
minutes and decisions, and the decision and joint-decision forms.

Every change goes through ``meetings.services``; these views parse input, check who may
see the page (``visible_to``: a record outside the scope is a 404) and show the services'
answers next to the fields they concern.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhaoshang.approvals import permissions as approval_permissions
from zhaoshang.approvals.choices import Light
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock, roles
from zhaoshang.core.audit import event_label
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import paginate
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.actions import ACTIONS, ACTIONS_BY_SLUG
from zhaoshang.meetings.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    MeetingStatus,
)
from zhaoshang.meetings.forms import (
    ActionItemForm,
    ActionRowFormSet,
    AgendaItemForm,
    BoardFilterForm,
    DecisionForm,
    HeldForm,
    JointDecisionForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
)
from zhaoshang.meetings.models import (
    ActionItem,
    ActionProgress,
    AgendaItem,
    Decision,
    Meeting,
)
from zhaoshang.projects.models import Project

# Events whose summary says more than the label (a reason, a topic, a number).
INFORMATIVE_SUMMARIES = {
    "meeting.agenda_added",
    "meeting.agenda_removed",
    "meeting.minutes_issued",
    "decision.recorded",
    "action_item.progress",
    "action_item.completed",
    "action_item.closed",
    "action_item.returned",
    "action_item.overdue",
}

BOARD_SORTS = {
    "days_left": [F("days_left").asc(nulls_last=True), "due_on"],
    "-days_left": [F("days_left").desc(nulls_last=True), "-due_on"],
    "due_on": ["due_on"],
    "-due_on": ["-due_on"],
    "number": ["number"],
    "-number": ["-number"],
}


def _today() -> datetime.date:
    return clock.today()


def days_left_text(item) -> str:
    """剩余 N 个工作日 / 超期 N 个工作日, from the ``days_left`` annotated in SQL."""
    if not item.is_open:
        return ""
    left = getattr(item, "days_left", None)
    if left is None:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}


def _events(obj) -> list[DomainEvent]:
    events = list(
        DomainEvent.objects.for_object(obj).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
        event.detail = event.verb in INFORMATIVE_SUMMARIES and bool(event.summary)
    return events


def _district_id(request) -> int | None:
    return request.user.district_id


def _may_create(request, rule) -> bool:
    """New meetings and items belong to the creator's district: a user without one (a
    superuser of the whole city) creates none here."""
    district_id = _district_id(request)
    return district_id is not None and rule(request.user, district_id)


# ---------------------------------------------------------------------------------------
# The supervision board (督办台账) and the department's worklist


def _owned_by(user) -> Q:
    """The items a person answers for: their department's, and those they are in charge of."""
    rule = Q(owner_person_id=user.pk)
    if user.department_id:
        rule |= Q(owner_department_id=user.department_id)
    return rule


def filtered_items(request, own: bool = False):
    """The action items a list shows, filtered as the query string says and ordered by
    working days left (computed in SQL); shared by the board, the worklist and the export.
    Open items first (the least time left first), then those awaiting confirmation, then
    the closed ones."""
    user = request.user
    today = _today()
    form = BoardFilterForm(request.GET or None, user=user, own_department=own)
    qs = ActionItem.objects.visible_to(user).with_days_left(today)
    if own:
        qs = qs.filter(_owned_by(user))
    status_given = False
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
            status_given = True
        if data.get("light"):
            qs = qs.filter(light=data["light"])
        if data.get("department"):
            qs = qs.filter(owner_department=data["department"])
        if data.get("source"):
            qs = qs.filter(source=data["source"])
        if data.get("project"):
            qs = qs.filter(project=data["project"])
        if data.get("overdue"):
            qs = qs.overdue(today)
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(title__icontains=text)
                | Q(number__icontains=text)
                | Q(project__name__icontains=text)
                | Q(owner_department__name__icontains=text)
            )
    if own and not status_given:
        qs = qs.exclude(status=ActionStatus.CLOSED)
    qs = qs.annotate(
        bucket=Case(
            When(status__in=OPEN_ACTION_STATUSES, then=Value(0)),
            When(status=ActionStatus.AWAITING_CONFIRMATION, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    sort = request.GET.get("sort", "")
    if sort in BOARD_SORTS:
        qs = qs.order_by(*BOARD_SORTS[sort], "id")
    else:
        sort = ""
        qs = qs.order_by("bucket", *BOARD_SORTS["days_left"], "id")
    return form, qs, sort


def _list_rows(request, qs):
    qs = qs.select_related(
        "owner_department", "owner_person", "project", "decision__meeting", "district"
    )
    page = paginate(request, qs)
    for item in page:
        item.days_left_text = days_left_text(item)
    return page


def _summary(qs) -> dict:
    """Counts of the items in scope by state, in one query."""
    today = _today()
    return qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)),
        awaiting=Count("pk", filter=Q(status=ActionStatus.AWAITING_CONFIRMATION)),
        closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
    )


def _by_department(qs) -> list[dict]:
    """Per owner department: open, overdue, awaiting confirmation and closed items."""
    today = _today()
    return list(
        qs.order_by()
        .values("owner_department__name", "owner_department__sort_order")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)),
            awaiting=Count("pk", filter=Q(status=ActionStatus.AWAITING_CONFIRMATION)),
            closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
        )
        .order_by("-overdue", "-open", "owner_department__sort_order", "owner_department__name")
    )


@login_required
def board(request):
    form, qs, sort = filtered_items(request)
    scope = ActionItem.objects.visible_to(request.user)
    return render(
        request,
        "meetings/board.html",
        {
            "form": form,
            "page": _list_rows(request, qs),
            "sort": sort,
            "summary": _summary(scope),
            "by_department": _by_department(scope),
            "show_district": roles.sees_all_districts(request.user),
            "can_assign": _may_create(request, permissions.can_assign),
        },
    )


@login_required
def board_export(request):
    _form, qs, _sort = filtered_items(request)
    qs = qs.select_related(
        "owner_department",
        "owner_person",
        "project",
        "decision__meeting",
        "instruction",
        "need",
        "assigned_by",
    )
    columns = [
        (_("Number"), lambda i: i.number),
        (_("Action item"), lambda i: i.title),
        (_("Source of the item"), lambda i: i.get_source_display()),
        (_("Meeting"), lambda i: str(i.decision.meeting) if i.decision_id else ""),
        (_("Project"), lambda i: i.project.name if i.project_id else ""),
        (_("Owner department"), lambda i: i.owner_department.name),
        (_("Person in charge"), lambda i: i.owner_person.display_name if i.owner_person_id else ""),
        (_("Start date"), lambda i: i.start_on),
        (_("Due on"), lambda i: i.due_on),
        (_("Due date provisional"), lambda i: _("Yes") if i.due_is_provisional else ""),
        (_("Working days left"), lambda i: i.days_left if i.is_open else None),
        (_("Light"), lambda i: Light(i.light).label if i.is_open else ""),
        (_("Status"), lambda i: i.get_status_display()),
        (_("Reported done on"), lambda i: i.completed_on),
        (_("Closed on"), lambda i: i.closed_on),
        (_("Assigned by"), lambda i: i.assigned_by.display_name),
    ]
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
        columns.insert(0, (_("District"), lambda i: str(i.district)))
    return xlsx_response("action-items", _("Action items"), columns, qs.iterator(chunk_size=500))


@login_required
def worklist(request):
    """督办事项: the items the user's department (or the user) answers for, the least time
    left first; the closed ones only when asked for."""
    form, qs, sort = filtered_items(request, own=True)
    return render(
        request,
        "meetings/worklist.html",
        {
            "form": form,
            "page": _list_rows(request, qs),
            "sort": sort,
            "department": request.user.department,
            "summary": _summary(
                ActionItem.objects.visible_to(request.user).filter(_owned_by(request.user))
            ),
        },
    )


# ---------------------------------------------------------------------------------------
# An action item


def _item_queryset(request):
    return (
        ActionItem.objects.visible_to(request.user)
        .with_days_left(_today())
        .select_related(
            "owner_department",
            "owner_person",
            "project__enterprise",
            "decision__meeting__chair",
            "decision__agenda_item",
            "instruction__leader",
            "instruction__receipt",
            "need",
            "assigned_by",
            "closed_by",
            "district",
        )
    )


def _item_context(request, item: ActionItem, bound=None, stale: str = "") -> dict:
    user = request.user
    progress = list(ActionProgress.objects.filter(action_item=item).select_related("by"))
    actions = []
    for action in ACTIONS:
        if not (action.applies(item) and action.allowed(user, item)):
            continue
        form = bound if bound is not None and bound.action == action.slug else None
        if form is None:
            form = action.form(record=item, auto_id=f"id_{action.slug}_%s")
            form.action = action.slug
        actions.append((action, form, f"{item.get_absolute_url()}{action.slug}/"))
    return {
        "item": item,
        "progress": progress,
        "events": _events(item),
        "days_left_text": days_left_text(item),
        "actions": actions,
        "stale": stale,
        "can_edit": permissions.can_supervise(user, item) and not item.is_closed,
    }


@login_required
def action_item_detail(request, pk):
    item = get_object_or_404(_item_queryset(request), pk=pk)
    return render(request, "meetings/action_item.html", _item_context(request, item))


@login_required
@require_POST
def action_item_action(request, pk, action):
    item = get_object_or_404(_item_queryset(request), pk=pk)
    spec = ACTIONS_BY_SLUG[action]
    if not spec.allowed(request.user, item):
        raise PermissionDenied
    form = spec.form(request.POST, request.FILES, record=item, auto_id=f"id_{spec.slug}_%s")
    form.action = spec.slug
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            spec.run(request.user, item, data, data.pop("version"))
        except ConcurrentEditError as exc:
            fresh = get_object_or_404(_item_queryset(request), pk=pk)
            context = _item_context(request, fresh, stale=" ".join(exc.messages))
            return render(request, "meetings/action_item.html", context, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, str(spec.done))
            return redirect("meetings:action_item", pk=item.pk)
    return render(
        request, "meetings/action_item.html", _item_context(request, item, bound=form), status=400
    )


@login_required
def action_item_file(request, pk, file_pk):
    item = get_object_or_404(ActionItem.objects.visible_to(request.user), pk=pk)
    entry = get_object_or_404(ActionProgress, pk=file_pk, action_item=item)
    if not entry.file:
        raise Http404
    try:
        handle = entry.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=entry.file_name)


def _item_changes(data: dict) -> dict:
    return {
        name: data.get(name)
        for name in (
            "title",
            "description",
            "owner_department",
            "owner_person",
            "start_on",
            "due_on",
            "due_workdays",
            "project",
        )
    }


@login_required
def action_item_create(request):
    """督办交办: the supervision office (or a leader) assigns an item directly."""
    user = request.user
    district_id = _district_id(request)
    if not _may_create(request, permissions.can_assign):
        raise PermissionDenied
    status = 200
    form = ActionItemForm(request.POST or None, district_id=district_id)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.create_action_item(
                    user,
                    district=user.district,
                    need=data.get("need"),
                    **_item_changes(data),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Action item %(number)s has been assigned to %(department)s.")
                    % {"number": item.number, "department": item.owner_department.name},
                )
                return redirect(item)
        status = 400
    return render(request, "meetings/action_item_form.html", {"form": form}, status=status)


@login_required
def action_item_edit(request, pk):
    item = get_object_or_404(_item_queryset(request), pk=pk)
    if not permissions.can_supervise(request.user, item):
        raise PermissionDenied
    status = 200
    form = ActionItemForm(request.POST or None, district_id=item.district_id, item=item)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                name: value
                for name, value in _item_changes(data).items()
                if name in form.changed_data
            }
            if "due_on" in changes or "due_workdays" in changes:
                changes.setdefault("due_on", data.get("due_on"))
                changes.setdefault("due_workdays", data.get("due_workdays"))
            try:
                services.update_action_item(request.user, item, changes, data.get("version"))
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 409 if isinstance(exc, ConcurrentEditError) else 400
            else:
                messages.success(request, _("The action item has been saved."))
                return redirect(item)
        else:
            status = 400
    return render(
        request, "meetings/action_item_form.html", {"form": form, "item": item}, status=status
    )


# ---------------------------------------------------------------------------------------
# Meetings


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
    can_schedule = _may_create(request, permissions.can_schedule)
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


def _meeting_context(request, meeting: Meeting, status_forms: dict | None = None) -> dict:
    user = request.user
    today = _today()
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
        "events": _events(meeting),
        "can_manage": can_manage,
        "editable": editable,
        "may_hold": editable
        and meeting.status == MeetingStatus.PLANNED
        and meeting.held_on <= today,
        "can_joint": editable
        # The approvals' rule reads only the district of what it is given.
        and approval_permissions.can_record_joint_decision(user, meeting),
        "open_form": next(iter(forms), ""),
    }
    if editable:
        context["agenda_form"] = forms.get("agenda_form") or AgendaItemForm(
            meeting=meeting, auto_id="id_agenda_%s"
        )
        context["held_form"] = forms.get("held_form") or HeldForm(
            record=meeting, auto_id="id_held_%s"
        )
        context["minutes_form"] = forms.get("minutes_form") or MinutesForm(
            record=meeting, auto_id="id_minutes_%s"
        )
    return context


@login_required
def meeting_detail(request, pk):
    meeting = get_visible_meeting(request, pk)
    return render(request, "meetings/detail.html", _meeting_context(request, meeting))


@login_required
def meeting_create(request):
    user = request.user
    district_id = _district_id(request)
    if not _may_create(request, permissions.can_schedule):
        raise PermissionDenied
    status = 200
    form = MeetingForm(request.POST or None, district_id=district_id)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.schedule_meeting(
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
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Meeting %(number)s has been scheduled; the chair and the people attending have been notified."
                    )
                    % {"number": meeting.number},
                )
                return redirect(meeting)
        status = 400
    return render(request, "meetings/meeting_form.html", {"form": form}, status=status)


@login_required
def meeting_edit(request, pk):
    meeting = get_visible_meeting(request, pk)
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    status = 200
    form = MeetingForm(request.POST or None, district_id=meeting.district_id, meeting=meeting)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                name: data.get(name)
                for name in services.MEETING_FIELDS
                if name in form.changed_data
            }
            try:
                services.update_meeting(request.user, meeting, changes, data.get("version"))
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 409 if isinstance(exc, ConcurrentEditError) else 400
            else:
                messages.success(request, _("The meeting has been saved."))
                return redirect(meeting)
        else:
            status = 400
    return render(
        request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


def _managed_meeting(request, pk) -> Meeting:
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
    meeting = _managed_meeting(request, pk)
    form = AgendaItemForm(request.POST, meeting=meeting, auto_id="id_agenda_%s")
    if form.is_valid():
        try:
            item = services.add_agenda_item(request.user, meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("“%(subject)s” is on the agenda.") % {"subject": item.subject}
            )
            return redirect(meeting)
    return _detail_with(request, meeting, 400, agenda_form=form)


@login_required
@require_POST
def agenda_remove(request, pk, item_pk):
    meeting = _managed_meeting(request, pk)
    agenda_item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    try:
        services.remove_agenda_item(request.user, agenda_item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The agenda item has been removed."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_held(request, pk):
    meeting = _managed_meeting(request, pk)
    form = HeldForm(request.POST, record=meeting, auto_id="id_held_%s")
    if form.is_valid():
        try:
            services.mark_held(request.user, meeting, form.cleaned_data["version"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is recorded as held."))
            return redirect(meeting)
    return _detail_with(request, meeting, 400, held_form=form)


@login_required
@require_POST
def meeting_minutes(request, pk):
    meeting = _managed_meeting(request, pk)
    form = MinutesForm(request.POST, request.FILES, record=meeting, auto_id="id_minutes_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.issue_minutes(
                request.user,
                meeting,
                minutes=data["minutes"],
                minutes_number=data["minutes_number"],
                issued_on=data["minutes_issued_on"],
                minutes_file=data.get("minutes_file"),
                expected_version=data["version"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes have been issued."))
            return redirect(meeting)
    return _detail_with(request, meeting, 400, minutes_form=form)


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


@login_required
def decision_create(request, pk):
    """Record a decision (议定事项) with the action items it creates."""
    meeting = _managed_meeting(request, pk)
    status = 200
    agenda_id = request.GET.get("agenda_item")
    initial = {"agenda_item": agenda_id} if agenda_id and agenda_id.isdigit() else {}
    form = DecisionForm(request.POST or None, meeting=meeting, initial=initial)
    rows = ActionRowFormSet(request.POST or None, prefix="items", district_id=meeting.district_id)
    if request.method == "POST":
        if form.is_valid() and rows.is_valid():
            filled = rows.rows()
            try:
                decision = services.record_decision(
                    request.user,
                    meeting,
                    text=form.cleaned_data["text"],
                    agenda_item=form.cleaned_data.get("agenda_item"),
                    action_items=[row for _i, row in filled],
                )
            except services.ActionItemRowsError as exc:
                for index, error in exc.rows.items():
                    apply_service_errors(rows.forms[filled[index][0]], error)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Decision %(n)s is recorded; action items assigned: %(count)s.")
                    % {"n": decision.number, "count": decision.action_items.count()},
                )
                return redirect(meeting)
        status = 400
    return render(
        request,
        "meetings/decision_form.html",
        {"meeting": meeting, "form": form, "rows": rows},
        status=status,
    )


def _joint_projects(meeting: Meeting):
    """Projects with at least two open approval cases: a joint decision needs two."""
    from zhaoshang.approvals.choices import OPEN_STATUSES

    on_agenda = AgendaItem.objects.filter(meeting=meeting, project=OuterRef("pk"))
    return (
        Project.objects.filter(district_id=meeting.district_id)
        .annotate(
            open_cases=Count("approval_cases", filter=Q(approval_cases__status__in=OPEN_STATUSES))
        )
        .filter(open_cases__gte=2)
        .annotate(
            on_agenda=Case(
                When(Q(pk__in=on_agenda.values("project_id")), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("on_agenda", "code")
    )


@login_required
def joint_decision(request, pk):
    """The joint decision as a decision of this meeting (互为前置 → 同时审批、同时办结)."""
    meeting = _managed_meeting(request, pk)
    # The approvals' rule reads only the district of what it is given.
    if not approval_permissions.can_record_joint_decision(request.user, meeting):
        raise PermissionDenied
    projects = _joint_projects(meeting)
    project_id = request.POST.get("project") or request.GET.get("project")
    project = None
    if project_id and str(project_id).isdigit():
        project = projects.filter(pk=project_id).first()
    context = {"meeting": meeting, "projects": projects, "project": project}
    status = 200
    if project is None:
        if request.method == "POST":
            context["project_error"] = _("Choose the project whose cases are decided together.")
            status = 400
        return render(request, "meetings/joint_decision.html", context, status=status)
    form = JointDecisionForm(request.POST or None, meeting=meeting, project=project)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.record_joint_decision(
                    request.user,
                    meeting,
                    project=project,
                    cases=list(data["cases"]),
                    text=data.get("text", ""),
                    agenda_item=data.get("agenda_item"),
                    minutes_number=data.get("minutes_number", ""),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                joint = decision.joint_decision
                messages.success(
                    request,
                    _(
                        "The joint decision %(number)s is recorded: the cases share the due date %(due)s."
                    )
                    % {"number": joint.document_number, "due": joint.common_due_on.isoformat()},
                )
                return redirect(meeting)
        status = 400
    context["form"] = form
    return render(request, "meetings/joint_decision.html", context, status=status)
