"""Monitoring pages (SPEC §11): the lights board — every yellow and red thing the user may
see, with how far up the chain it has gone — its Excel export and its print view,
and a project's monitoring tab (its light, its signals and its exit warnings)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoshang.core import clock, pagecache, roles
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.printing import print_page
from zhaoshang.core.views_helpers import paginate
from zhaoshang.exits.views import warnings_for_project
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.forms import SignalFilterForm
from zhaoshang.monitoring.lights import project_light_counts
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.querysets import light_q
from zhaoshang.projects.models import Project
from zhaoshang.projects.views import get_visible_project, project_context


def filtered_signals(request):
    user = request.user
    district_id = None if roles.sees_all_districts(user) else user.district_id
    form = SignalFilterForm(request.GET or None, district_id=district_id)
    qs = Signal.objects.visible_to(user).select_related("project__park", "department", "district")
    if form.is_valid():
        data = form.cleaned_data
        if data["subject"]:
            qs = qs.filter(subject=data["subject"])
        if data["light"]:
            qs = qs.filter(light_q(data["light"]))
        if data["level"] is not None:
            qs = qs.filter(level=data["level"])
        if data["department"]:
            qs = qs.filter(department=data["department"])
        if data["park"]:
            qs = qs.filter(project__park=data["park"])
        if data["mine"] and user.department_id:
            qs = qs.filter(department_id=user.department_id)
        if data["unassigned"]:
            qs = qs.filter(unassigned=True)
        if data["my_projects"]:
            qs = qs.filter(project__in=Project.objects.of_user(user).values("pk"))
        if data["this_month"]:
            qs = qs.filter(since__gte=clock.today().replace(day=1))
    qs = qs.with_days_left().worst_first()
    return form, qs


@login_required
@pagecache.kept_page
def board(request):
    form, qs = filtered_signals(request)
    return render(
        request,
        "monitoring/board.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "totals": board_totals(qs),
            "projects": project_light_counts(
                Project.objects.visible_to(request.user),
                Signal.objects.visible_to(request.user),
            ),
            "show_district": roles.sees_all_districts(request.user),
        },
    )


def board_totals(qs) -> dict:
    """The board's counts in one pass over the filtered lights (red and yellow read on
    the stored rank)."""
    red, yellow = light_q(Light.RED), light_q(Light.YELLOW)
    return qs.order_by().aggregate(
        red=Count("pk", filter=red),
        yellow=Count("pk", filter=yellow),
        meeting=Count("pk", filter=Q(level=Level.MEETING)),
        unassigned=Count("pk", filter=Q(unassigned=True)),
    )


@login_required
def board_export(request):
    _form, qs = filtered_signals(request)
    columns = [
        (_("Light"), lambda s: s.get_light_display()),
        (_("Subject"), lambda s: s.get_subject_display()),
        (_("Item"), lambda s: s.title),
        (_("Project"), lambda s: s.project.name if s.project_id else ""),
        (_("Park"), lambda s: str(s.project.park) if s.project_id and s.project.park_id else ""),
        (_("Responsible department"), lambda s: s.department.name if s.department_id else ""),
        (_("Due on"), lambda s: s.due_on),
        (_("Working days left"), lambda s: s.days_left),
        (_("Points below plan"), lambda s: s.gap),
        (_("Yellow or red since"), lambda s: s.since),
        (_("Escalated to"), lambda s: s.get_level_display()),
        (_("Escalated on"), lambda s: s.escalated_on),
        (_("Unassigned"), lambda s: _("Yes") if s.unassigned else ""),
    ]
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
        columns.insert(0, (_("District"), lambda s: str(s.district)))
    return xlsx_response(
        "lights",
        _("Lights"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Lights register"),
    )


@login_required
def board_print(request):
    """The lights board as filtered, every row, on A4 landscape (台账)."""
    form, qs = filtered_signals(request)
    return print_page(
        request,
        "monitoring/board_print.html",
        title=pgettext("print title", "Lights register"),
        rows=qs,
        form=form,
        back_url=reverse("monitoring:board"),
    )


@login_required
def project_monitoring(request, pk):
    project = get_visible_project(request, pk)
    signals = list(
        Signal.objects.filter(project=project)
        .select_related("department")
        .with_days_left()
        .worst_first()
    )
    light = Light.GREEN
    if any(s.light == Light.RED for s in signals):
        light = Light.RED
    elif signals:
        light = Light.YELLOW
    extra = {"signals": signals, "project_light": light}
    extra.update(warnings_for_project(request.user, project))
    return render(
        request,
        "monitoring/project.html",
        project_context(request, project, "monitoring", **extra),
    )
