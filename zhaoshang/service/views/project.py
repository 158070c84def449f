"""The project's service tab, and the projects a leader is the designated contact of
(领导定点联系) or a department is paired with (部门结对帮扶)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from zhaoshang.core import clock, roles
from zhaoshang.core.roles import Role
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects.models import Project
from zhaoshang.projects.views import get_visible_project, project_context
from zhaoshang.service import permissions, services
from zhaoshang.service.choices import ReceiptResult
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.service.querysets import with_service_data
from zhaoshang.service.views._common import action_items_prefetch, days_left_text


@login_required
def project_service(request, pk):
    project = get_visible_project(request, pk)
    user = request.user
    receipts = (
        Receipt.objects.filter(project=project)
        .select_related("department", "filed_by", "addressee", "approval_case__item")
        .order_by("-visited_on", "-id")
    )
    page = paginate(request, receipts, per_page=20)
    needs = list(
        Need.objects.filter(project=project)
        .with_days_left(clock.today())
        .select_related("department", "raised_by")
    )
    needs.sort(key=lambda n: (0 if n.is_open else 1, n.due_on, n.pk))
    for need in needs:
        need.days_left_text = days_left_text(need)
    instructions = list(
        Instruction.objects.filter(project=project)
        .select_related("leader", "receipt")
        .prefetch_related(action_items_prefetch())
    )
    second_round = list(
        SecondRoundService.objects.filter(project=project).select_related("recorded_by")
    )
    counts = receipts.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(result=ReceiptResult.DONE)),
        in_progress=Count("pk", filter=Q(result=ReceiptResult.IN_PROGRESS)),
        coordination=Count("pk", filter=Q(result=ReceiptResult.NEEDS_COORDINATION)),
        departments=Count("department", distinct=True),
    )
    context = project_context(
        request,
        project,
        "service",
        page=page,
        counts=counts,
        needs=needs,
        open_needs=sum(1 for n in needs if n.is_open),
        instructions=instructions,
        second_round=second_round,
        leader=services.leader_in_charge(project),
        can_file=permissions.can_file_receipt(user, project),
        can_raise=permissions.can_raise_need(user, project),
        can_record_second=permissions.can_record_second_round(user, project=project),
    )
    return render(request, "service/project.html", context)


# ---------------------------------------------------------------------------------------
# 领导定点联系 and 部门结对帮扶


def _service_projects(request, qs, template: str, extra: dict):

    today = clock.today()
    qs = (
        with_service_data(qs, today)
        .select_related("enterprise", "park", "industry")
        .order_by("code")
    )
    page = paginate(request, qs, per_page=50)
    return render(request, template, {"page": page, "count": page.paginator.count, **extra})


@login_required
def designated(request):
    """领导定点联系: the projects whose designated contact leader is the user."""
    qs = Project.objects.visible_to(request.user).filter(designated_leader=request.user)
    return _service_projects(
        request,
        qs,
        "service/designated.html",
        {"is_leader": roles.has_role(request.user, Role.LEADER)},
    )


@login_required
def paired(request):
    """部门结对帮扶: the projects the user's department is paired with."""
    department = request.user.department
    if department is None:
        qs = Project.objects.none()
    else:
        qs = Project.objects.visible_to(request.user).filter(paired_departments=department)
    return _service_projects(request, qs, "service/paired.html", {"department": department})
