"""A meeting's decisions: one with the action items it creates, and the joint decision
that approves mutually prerequisite approval items at the same time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Value, When
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhaoshang.approvals import permissions as approval_permissions
from zhaoshang.approvals.choices import OPEN_STATUSES
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.meetings import services
from zhaoshang.meetings.forms import ActionRowFormSet, DecisionForm, JointDecisionForm
from zhaoshang.meetings.models import AgendaItem, Meeting
from zhaoshang.meetings.views.meetings import managed_meeting
from zhaoshang.projects.models import Project


@login_required
def decision_create(request, pk):
    """Record a decision (议定事项) with the action items it creates."""
    meeting = managed_meeting(request, pk)
    agenda_id = request.GET.get("agenda_item")
    initial = {"agenda_item": agenda_id} if agenda_id and agenda_id.isdigit() else {}
    form = DecisionForm(request.POST or None, meeting=meeting, initial=initial)
    rows = ActionRowFormSet(request.POST or None, prefix="items", district_id=meeting.district_id)

    def record(data):
        return services.record_decision(
            request.user,
            meeting,
            text=data["text"],
            agenda_item=data.get("agenda_item"),
            action_items=[row for _i, row in rows.rows()],
        )

    def errors_to(exc):
        # A refused action item names its row among the filled ones.
        if isinstance(exc, services.ActionItemRowsError):
            filled = rows.rows()
            for index, error in exc.rows.items():
                apply_service_errors(rows.forms[filled[index][0]], error)
            if exc.others:  # the decision's own fields, refused with the rows
                apply_service_errors(form, ValidationError(exc.others))
        else:
            apply_service_errors(form, exc)

    return form_post(
        request,
        form,
        record,
        render_page=form_page(request, "meetings/decision_form.html", meeting=meeting, rows=rows),
        redirect_to=meeting.get_absolute_url(),
        success=lambda decision: (
            _("Decision %(n)s is recorded; action items assigned: %(count)s.")
            % {"n": decision.number, "count": decision.action_items.count()}
        ),
        formsets=[rows],
        errors_to=errors_to,
    )


def _joint_projects(meeting: Meeting):
    """Projects with at least two open approval cases: a joint decision needs two."""
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
    meeting = managed_meeting(request, pk)
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
    return form_post(
        request,
        form,
        lambda data: services.record_joint_decision(
            request.user,
            meeting,
            project=project,
            cases=list(data["cases"]),
            text=data.get("text", ""),
            agenda_item=data.get("agenda_item"),
            minutes_number=data.get("minutes_number", ""),
        ),
        render_page=form_page(request, "meetings/joint_decision.html", **context),
        redirect_to=meeting.get_absolute_url(),
        success=lambda decision: (
            _("The joint decision %(number)s is recorded: the cases share the due date %(due)s.")
            % {
                "number": decision.joint_decision.document_number,
                "due": decision.joint_decision.common_due_on.isoformat(),
            }
        ),
    )
