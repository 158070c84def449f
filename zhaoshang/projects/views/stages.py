"""Project pages about its stage: the timeline, a stage change and the condition."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.actions import form_post
from zhaoshang.projects import permissions, services
from zhaoshang.projects.choices import STAGE_EVIDENCE, STAGE_ORDER, Stage
from zhaoshang.projects.forms import ConditionForm, StageChangeForm
from zhaoshang.projects.models import (
    DocumentVersion,
    MaterialType,
    Project,
    ProjectDocument,
    StageEvent,
)
from zhaoshang.projects.services.documents import evidence_versions
from zhaoshang.projects.views.common import get_visible_project, project_context


@login_required
def project_timeline(request, pk):
    project = get_visible_project(request, pk)
    events = (
        StageEvent.objects.filter(project=project)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=DocumentVersion.objects.select_related("document__material_type"),
            )
        )
        .order_by("-occurred_on", "-id")
    )
    return render(
        request,
        "projects/detail_timeline.html",
        project_context(request, project, "timeline", events=events),
    )


def _evidence_types(to_stage: str | None) -> list[MaterialType]:
    codes = STAGE_EVIDENCE.get(to_stage, ()) if to_stage else ()
    return list(MaterialType.objects.filter(code__in=codes))


def _target_stage(request, project: Project) -> str | None:
    """The stage the page is about: the posted or asked one, else the next in order."""
    default_next = (
        STAGE_ORDER[project.stage_index + 1]
        if 0 <= project.stage_index < len(STAGE_ORDER) - 1
        else None
    )
    to_stage = request.POST.get("to_stage") or request.GET.get("to") or default_next
    return to_stage if to_stage in Stage.values else default_next


def _blank_stage_form(project: Project, to_stage, types) -> StageChangeForm:
    return StageChangeForm(
        initial={"to_stage": to_stage, "occurred_on": clock.today()},
        project=project,
        evidence_types=types,
    )


def _stage_page(request, project: Project, form, to_stage, types, *, status=200, stale=""):
    library = {
        d.material_type_id: d
        for d in ProjectDocument.objects.filter(
            project=project, material_type__in=types
        ).prefetch_related(Prefetch("versions", queryset=evidence_versions()))
    }
    evidence = [(m, form[f"evidence_{m.code}"], library.get(m.pk)) for m in types]
    stage_options = []
    for value, label in form.fields["to_stage"].choices:
        if isinstance(label, list | tuple):
            stage_options.extend(label)
        else:
            stage_options.append((value, label))
    context = project_context(
        request,
        project,
        "timeline",
        form=form,
        evidence=evidence,
        to_stage=to_stage,
        stage_options=stage_options,
        to_stage_label=Stage(to_stage).label if to_stage else "",
        stale=stale,
    )
    return render(request, "projects/stage_change.html", context, status=status)


@login_required
def stage_change(request, pk):
    """Move the project to another stage; someone else's change first is 409 with the
    project as it is now."""
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    to_stage = _target_stage(request, project)
    types = _evidence_types(to_stage)
    if request.method != "POST":
        return _stage_page(
            request, project, _blank_stage_form(project, to_stage, types), to_stage, types
        )
    form = StageChangeForm(request.POST, request.FILES, project=project, evidence_types=types)

    def render_page(form, status, stale):
        if status != 409:
            return _stage_page(request, project, form, to_stage, types, status=status)
        fresh = get_visible_project(request, pk)
        fresh_stage = _target_stage(request, fresh)
        fresh_types = _evidence_types(fresh_stage)
        blank = _blank_stage_form(fresh, fresh_stage, fresh_types)
        return _stage_page(request, fresh, blank, fresh_stage, fresh_types, status=409, stale=stale)

    return form_post(
        request,
        form,
        lambda data: services.change_stage(
            request.user,
            project,
            data["to_stage"],
            data["occurred_on"],
            reason=data["reason"],
            evidence_files=form.evidence_files(),
            expected_version=data["version"],
        ),
        render_page=render_page,
        redirect_to=reverse("projects:timeline", args=[project.pk]),
        success=lambda _result: (
            _("The project is now “%(stage)s”.")
            % {"stage": Stage(form.cleaned_data["to_stage"]).label}
        ),
    )


def _condition_form(project: Project) -> ConditionForm:
    return ConditionForm(
        initial={
            "condition": project.condition,
            "condition_reason": project.condition_reason,
            "version": project.version,
        }
    )


def _condition_page(request, project: Project, form, *, status=200, stale=""):
    return render(
        request,
        "projects/condition_form.html",
        project_context(request, project, "overview", form=form, stale=stale),
        status=status,
    )


@login_required
def condition_change(request, pk):
    """Mark the project normal, delayed or stopped; a stale version is 409."""
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    if request.method != "POST":
        return _condition_page(request, project, _condition_form(project))

    def render_page(form, status, stale):
        if status != 409:
            return _condition_page(request, project, form, status=status)
        fresh = get_visible_project(request, pk)
        return _condition_page(request, fresh, _condition_form(fresh), status=409, stale=stale)

    return form_post(
        request,
        ConditionForm(request.POST),
        lambda data: services.set_condition(
            request.user,
            project,
            data["condition"],
            data["condition_reason"],
            expected_version=data["version"],
        ),
        render_page=render_page,
        redirect_to=reverse("projects:detail", args=[project.pk]),
        success=_("The condition has been saved."),
    )
