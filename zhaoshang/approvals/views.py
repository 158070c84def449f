"""Approval pages (SPEC §6): the departments' worklist (我的待办), the case page with its
timeline and actions, the project's approvals tab (forecast, prerequisite graph, 统一受理,
joint decisions) and the approval catalogue.

Every change goes through ``approvals.services``; these views parse input, check who may
see the page, and show the services' answers next to the fields they concern.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from zhaoshang.approvals import permissions, services
from zhaoshang.approvals.actions import ACTIONS
from zhaoshang.approvals.choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    CaseStatus,
    Phase,
)
from zhaoshang.approvals.forms import (
    PAUSED,
    GreenChannelForm,
    ItemForm,
    JointDecisionForm,
    RegisterCaseForm,
    WorklistFilterForm,
)
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause, CaseTransfer
from zhaoshang.approvals.querysets import WORKLIST_INDEX_TERMS, WORKLIST_PARTS
from zhaoshang.core import clock, pagecache, roles
from zhaoshang.core.actions import panel, record_action_view, run_service
from zhaoshang.core.audit import event_label
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.parts import InParts
from zhaoshang.core.roles import Role
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects.models import Project
from zhaoshang.projects.views import get_visible_project, project_context
from zhaoshang.workdays.querysets import workday_seq

# Events whose summary says more than the label (a reason, a destination, a document).
INFORMATIVE_SUMMARIES = {
    "case.supplement_requested",
    "case.paused",
    "case.extended",
    "case.transferred",
    "case.reported",
    "case.returned",
    "case.pledge_overdue",
    "case.joint_decision",
}

# Departments' own people see their department's cases; these roles see the district's.
DISTRICT_WORKLIST_ROLES = (
    Role.SERVICE_CENTER,
    Role.BUREAU,
    Role.ADMIN,
    Role.LEADER,
    Role.SUPERVISOR,
)

STATUS_COLOURS = {
    CaseStatus.PENDING: "#6c757d",
    CaseStatus.SUPPLEMENT: "#fd7e14",
    CaseStatus.ACCEPTED: "#0d6efd",
    CaseStatus.IN_PROGRESS: "#24508f",
    CaseStatus.REPORTED: "#6f42c1",
    CaseStatus.DONE: "#198754",
    CaseStatus.RETURNED: "#b3261e",
}
NOT_REGISTERED_COLOUR = "#ced4da"


# ---------------------------------------------------------------------------------------
# 我的待办: the worklist


def own_department_only(user) -> bool:
    """A department handler's worklist is their department's cases; the service center,
    the bureau, admins, leaders and the supervision office see the district's."""
    return roles.has_role(user, Role.DEPARTMENT) and not roles.has_role(
        user, *DISTRICT_WORKLIST_ROLES
    )


def filtered_cases(request):
    """The open cases the worklist shows, filtered as the query string says and ordered by
    working days left (computed in SQL); shared by the page and the export."""
    user = request.user
    own = own_department_only(user)
    form = WorklistFilterForm(request.GET or None, user=user, own_department_only=own)
    qs = ApprovalCase.objects.visible_to(user).open().with_days_left(clock.today())
    if own and form.is_valid() and form.cleaned_data.get("mine"):
        # A handler who manages a project or is its secretary follows its cases at every
        # department (the receipts of the team's visits): not only their own department's.
        own = False
    if own:
        qs = qs.filter(department_id=user.department_id)
    if form.is_valid():
        data = form.cleaned_data
        for name in ("department", "status", "project", "item"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        light = data.get("light")
        if light == PAUSED:
            qs = qs.filter(paused=True)
        elif light:
            qs = qs.filter(light=light)
        if data.get("green"):
            qs = qs.filter(project__is_green_channel=True)
        if data.get("mine"):
            # The projects I manage or serve as secretary (the registry's "mine" too): the
            # team files the receipts of its visits (回执单).
            qs = qs.filter(project__in=Project.objects.held_by(user).values("pk"))
        if data.get("no_receipt"):
            qs = qs.filter(receipts__isnull=True)
    # Running cases first, the least time left first; paused and not yet started after.
    # Working days left grow with the due date, so the due date orders them as the days
    # left would, without working out the days left of every open case (issue 19.3).
    qs = qs.annotate(
        waiting=Case(
            When(Q(paused=True) | Q(due_on__isnull=True), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("waiting", F("due_on").asc(nulls_last=True), "id")
    return form, qs, own


@login_required
@pagecache.kept_page
def worklist(request):
    form, qs, own = filtered_cases(request)
    related = ["project", "item", "department", "agent"]
    if roles.sees_all_districts(request.user):
        related.append("district")

    def rows(keys):  # by their keys alone (the list's filters read the district's index)
        cases = ApprovalCase.objects.filter(pk__in=keys).with_days_left(clock.today())
        return cases.select_related(*related)

    # The page's keys in the list's order, read in its parts (running, paused, not
    # started), each cut off its index, then their rows: whatever the number of open cases
    # (issue 19.3).
    page = paginate(request, InParts(qs, WORKLIST_PARTS, rows, index_terms=WORKLIST_INDEX_TERMS))
    for case in page:
        case.days_left_text = days_left_text(case)
    return render(
        request,
        "approvals/worklist.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own,
            "department": request.user.department if own else None,
            "show_district": roles.sees_all_districts(request.user),
        },
    )


def days_left_text(case) -> str:
    """剩余 N 个工作日 / 超期 N 个工作日, from the ``days_left`` annotated in SQL."""
    if case.paused:
        return _("Clock paused")
    left = getattr(case, "days_left", None)
    if left is None or case.status in CLOSED_STATUSES:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}


@login_required
def worklist_export(request):
    _form, qs, _own = filtered_cases(request)
    qs = qs.select_related("project__enterprise", "item", "department", "agent")
    columns = [
        (_("Project code"), lambda c: c.project.code),
        (_("Project"), lambda c: c.project.name),
        (_("Enterprise"), lambda c: c.project.enterprise.name if c.project.enterprise else ""),
        (_("Approval item"), lambda c: c.item.name),
        (_("Department"), lambda c: c.department.name),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Light"), lambda c: _("Paused") if c.paused else Light(c.light).label),
        (_("Materials complete on"), lambda c: c.materials_complete_on),
        (_("Accepted on"), lambda c: c.accepted_on),
        (_("Due on"), lambda c: c.due_on),
        (_("Due date provisional"), lambda c: _("Yes") if c.due_is_provisional else ""),
        (_("Working days left"), lambda c: c.days_left),
        (_("Extended"), lambda c: _("Yes") if c.extended else ""),
        (_("Agent"), lambda c: c.agent.display_name if c.agent else ""),
        (_("Green channel"), lambda c: _("Yes") if c.project.is_green_channel else ""),
    ]
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
        columns.insert(0, (_("District"), lambda c: str(c.district)))
    return xlsx_response(
        "approval-cases",
        _("Approval cases"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Approval cases register"),
    )


# ---------------------------------------------------------------------------------------
# The case page and its actions


def _case_queryset(request):
    return (
        ApprovalCase.objects.visible_to(request.user)
        .with_days_left(clock.today())
        .select_related(
            "project__enterprise",
            "project__district",
            "item__department",
            "department",
            "agent",
            "handler",
            "registered_by",
            "extension_approver",
            "joint_decision",
            "district",
            "late_department",
        )
    )


def _case_context(request, case: ApprovalCase, bound=None, stale: str = "") -> dict:
    """Everything the case page shows; ``bound`` is the posted (invalid) action form."""
    user = request.user
    today = clock.today()
    pauses = list(
        CasePause.objects.filter(case=case)
        .select_related("created_by")
        .annotate(
            workdays=workday_seq(Coalesce(OuterRef("ended_on"), Value(today)))
            - workday_seq("started_on")
        )
    )
    transfers = list(
        CaseTransfer.objects.filter(case=case).select_related(
            "from_department", "to_department", "transferred_by"
        )
    )
    events = list(
        DomainEvent.objects.for_object(case).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
        event.detail = event.verb in INFORMATIVE_SUMMARIES and bool(event.summary)
    attribution = services.attribute(case, today)
    prerequisites = list(case.item.prerequisites.all())
    status_of = dict(
        ApprovalCase.objects.filter(project_id=case.project_id, item__in=prerequisites).values_list(
            "item_id", "status"
        )
    )
    prerequisite_rows = [
        (
            p,
            CaseStatus(status_of[p.pk]).label if p.pk in status_of else _("Not registered"),
            status_of.get(p.pk) == CaseStatus.DONE,
        )
        for p in prerequisites
    ]
    actions = panel(
        user,
        case,
        ACTIONS,
        lambda action: reverse("approvals:case_" + action.slug.replace("-", "_"), args=[case.pk]),
        bound=bound,
        record_kwarg="case",
    )
    return {
        "case": case,
        "project": case.project,
        "events": events,
        "pauses": pauses,
        "transfers": transfers,
        "attribution": attribution,
        "prerequisite_rows": prerequisite_rows,
        "unmet": [p for p, _label, done in prerequisite_rows if not done],
        "days_left_text": days_left_text(case),
        "actions": actions,
        "stale": stale,
        "can_act": bool(actions),
    }


@login_required
def case_detail(request, pk):
    case = get_object_or_404(_case_queryset(request), pk=pk)
    return render(request, "approvals/case.html", _case_context(request, case))


@login_required
@require_POST
def case_action(request, pk, action):
    return record_action_view(
        request,
        _case_queryset(request),
        pk,
        ACTIONS[action],
        template="approvals/case.html",
        context=_case_context,
        record_kwarg="case",
        redirect_to=lambda record: reverse("approvals:case", args=[record.pk]),
    )


# ---------------------------------------------------------------------------------------
# The project's approvals tab


def _layout(cases: list[ApprovalCase]) -> dict[int, tuple[int, int]]:
    """(column, row) per case: the column is the length of the longest chain of the
    project's prerequisite cases before it, so that every edge points to the right."""
    by_item = {c.item_id: c for c in cases}
    depth: dict[int, int] = {}

    def visit(case, stack=()) -> int:
        if case.pk in depth:
            return depth[case.pk]
        before = [
            by_item[p.pk]
            for p in case.item.prerequisites.all()
            if p.pk in by_item and by_item[p.pk].pk not in stack
        ]
        depth[case.pk] = 1 + max((visit(o, (*stack, case.pk)) for o in before), default=-1)
        return depth[case.pk]

    rows: dict[int, int] = {}
    place = {}
    for case in cases:
        column = visit(case)
        place[case.pk] = (column, rows.get(column, 0))
        rows[column] = rows.get(column, 0) + 1
    return place


def _graph(cases: list[ApprovalCase], critical: set[int]) -> dict:
    by_item = {c.item_id: c for c in cases}
    place = _layout(cases)
    nodes, links = [], []
    for case in cases:
        column, row = place[case.pk]
        nodes.append(
            {
                "id": str(case.pk),
                "name": case.item.name,
                "status": case.status,
                "statusLabel": str(case.get_status_display()),
                "department": case.department.short_name or case.department.name,
                "due": case.due_on.isoformat() if case.due_on else "",
                "provisional": case.due_is_provisional,
                "colour": STATUS_COLOURS.get(case.status, NOT_REGISTERED_COLOUR),
                "critical": case.pk in critical,
                "x": column * 200,
                "y": row * 80,
                "url": case.get_absolute_url(),
            }
        )
        for prereq in case.item.prerequisites.all():
            other = by_item.get(prereq.pk)
            if other is not None:
                links.append(
                    {
                        "source": str(other.pk),
                        "target": str(case.pk),
                        "critical": other.pk in critical and case.pk in critical,
                    }
                )
    legend = [
        {"status": s.value, "label": str(s.label), "colour": STATUS_COLOURS[s]} for s in CaseStatus
    ]
    return {
        "nodes": nodes,
        "links": links,
        "legend": legend,
        "labels": {
            "due": _("Due"),
            "provisional": _("provisional"),
            "critical": _("On the critical path"),
        },
    }


def _project_cases(project, today):
    return list(
        ApprovalCase.objects.filter(project=project)
        .with_days_left(today)
        .select_related("item", "department", "agent", "joint_decision")
        .prefetch_related(
            Prefetch("item__prerequisites", queryset=ApprovalItem.objects.order_by("sort_order"))
        )
        .order_by("item__sort_order", "id")
    )


def _approvals_tab(request, project, status=200, **forms):
    user = request.user
    today = clock.today()
    cases = _project_cases(project, today)
    for case in cases:
        case.days_left_text = days_left_text(case)
    by_item = {c.item_id: c for c in cases}
    by_pk = {c.pk: c for c in cases}
    forecast = services.forecast(project, today) if cases else None
    critical = {c.pk for c in forecast.critical_path} if forecast else set()
    for case in cases:
        case.finish = forecast.finish.get(case.pk) if forecast else None
        case.critical = case.pk in critical
    prerequisite_rows = []
    for case in cases:
        needs = []
        for prereq in case.item.prerequisites.all():
            other = by_item.get(prereq.pk)
            needs.append(
                {
                    "item": prereq,
                    "case": other,
                    "label": other.get_status_display() if other else _("Not registered"),
                    "done": bool(other and other.status == CaseStatus.DONE),
                }
            )
        prerequisite_rows.append((case, needs))
    can_register = permissions.can_register(user, project)
    can_joint = permissions.can_record_joint_decision(user, project)
    context = project_context(
        request,
        project,
        "approvals",
        cases=cases,
        forecast=forecast,
        finish=forecast.finish if forecast else {},
        # The path's cases as read here (with their forecast finish).
        critical_path=[by_pk[c.pk] for c in forecast.critical_path] if forecast else [],
        graph=_graph(cases, critical),
        prerequisite_rows=prerequisite_rows,
        can_register=can_register,
        can_joint=can_joint,
        open_count=sum(1 for c in cases if c.status in OPEN_STATUSES),
        done_count=sum(1 for c in cases if c.status == CaseStatus.DONE),
    )
    if can_register:
        context["green_form"] = forms.get("green_form") or GreenChannelForm(project=project)
        context["register_form"] = forms.get("register_form") or RegisterCaseForm(project=project)
    if can_joint:
        context["joint_form"] = forms.get("joint_form") or JointDecisionForm(
            project=project, auto_id="id_joint_%s"
        )
    context["open_form"] = next(iter(forms), "")
    return render(request, "approvals/project.html", context, status=status)


@login_required
def project_approvals(request, pk):
    project = get_visible_project(request, pk)
    return _approvals_tab(request, project)


@login_required
@require_POST
def register_green_channel(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_register(request.user, project):
        raise PermissionDenied
    form = GreenChannelForm(request.POST, project=project)
    if form.is_valid():
        agent = form.cleaned_data["agent"]
        outcome = run_service(
            request,
            form,
            lambda: services.register_green_channel(request.user, project, agent),
        )
        if outcome.ok:
            messages.success(
                request,
                _("%(n)s cases have been registered at once, carried by %(agent)s.")
                % {"n": len(outcome.result), "agent": agent.display_name},
            )
            return redirect("approvals:project", pk=project.pk)
    return _approvals_tab(request, project, status=400, green_form=form)


@login_required
@require_POST
def register_case(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_register(request.user, project):
        raise PermissionDenied
    form = RegisterCaseForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_service(
            request,
            form,
            lambda: services.register_case(
                request.user, project, data["item"], data["agent"], data.get("applied_on")
            ),
            success=_("“%(item)s” has been registered.") % {"item": data["item"].name},
        )
        if outcome.ok:
            return redirect("approvals:project", pk=project.pk)
    return _approvals_tab(request, project, status=400, register_form=form)


@login_required
@require_POST
def joint_decision(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_joint_decision(request.user, project):
        raise PermissionDenied
    form = JointDecisionForm(request.POST, project=project, auto_id="id_joint_%s")
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_service(
            request,
            form,
            lambda: services.record_joint_decision(
                request.user,
                project,
                list(data["cases"]),
                data["decided_on"],
                data["document_number"],
                data["note"],
            ),
        )
        if outcome.ok:
            decision = outcome.result
            messages.success(
                request,
                _(
                    "The joint decision %(number)s is recorded: the cases share the due date %(due)s."
                )
                % {"number": decision.document_number, "due": decision.common_due_on.isoformat()},
            )
            return redirect("approvals:project", pk=project.pk)
    return _approvals_tab(request, project, status=400, joint_form=form)


# ---------------------------------------------------------------------------------------
# The catalogue


def _visible_item(request, pk) -> ApprovalItem:
    return get_object_or_404(
        ApprovalItem.objects.visible_to(request.user).select_related("department", "district"),
        pk=pk,
    )


@login_required
def catalogue(request):
    items = (
        ApprovalItem.objects.visible_to(request.user)
        .select_related("department", "district")
        .prefetch_related(
            Prefetch("prerequisites", queryset=ApprovalItem.objects.order_by("sort_order")),
            "materials",
        )
        .order_by("district_id", "sort_order", "id")
    )
    show_district = roles.sees_all_districts(request.user)
    groups: dict[str, list] = {p.value: [] for p in Phase}
    for item in items:
        groups.setdefault(item.phase, []).append(item)
    phases = [(Phase(p).label, rows) for p, rows in groups.items() if rows]
    return render(
        request,
        "approvals/catalogue.html",
        {
            "phases": phases,
            "count": sum(len(rows) for _label, rows in phases),
            "show_district": show_district,
            "can_edit": permissions.can_edit_catalogue(request.user, request.user.district_id),
        },
    )


@login_required
def item_detail(request, pk):
    item = _visible_item(request, pk)
    return render(
        request,
        "approvals/item.html",
        {
            "item": item,
            "prerequisites": list(item.prerequisites.select_related("department")),
            "unlocks": list(item.unlocks.select_related("department")),
            "materials": list(item.materials.all()),
            "can_edit": permissions.can_edit_catalogue(request.user, item.district_id),
        },
    )


@login_required
def item_edit(request, pk):
    item = _visible_item(request, pk)
    if not permissions.can_edit_catalogue(request.user, item.district_id):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ItemForm(request.POST, instance=ApprovalItem.objects.get(pk=item.pk))
        if form.is_valid():
            outcome = run_service(
                request,
                form,
                lambda: services.update_item(request.user, item, **form.cleaned_data),
                success=_("The approval item has been saved."),
            )
            if outcome.ok:
                return redirect("approvals:item", pk=item.pk)
        status = 400
    else:
        form = ItemForm(instance=item)
    return render(request, "approvals/item_form.html", {"item": item, "form": form}, status=status)


def case_url(case) -> str:
    return reverse("approvals:case", args=[case.pk])
