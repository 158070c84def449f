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
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.forms import MOVE_GROUPS, ConditionForm, StageChangeForm
from zhaoshang.projects.models import DocumentVersion, MaterialType, Project, StageEvent
from zhaoshang.projects.services.stages import (
    StageMove,
    evidence_on_file,
    pending_batch,
    stage_moves,
)
from zhaoshang.projects.views.common import get_visible_project, project_context


@login_required
def project_timeline(request, pk):
    project = get_visible_project(request, pk)
    events = (
        StageEvent.objects.filter(project=project)
        .select_related("recorded_by", "import_batch")
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


def _target(request, moves) -> StageMove | None:
    """The move the page is about: the posted or asked stage when offered, else the next
    stage. (A stage posted but not offered goes on to the service, which names why it
    is refused; the page then offers the next stage again.)"""
    by_stage = {m.stage: m for m in moves}
    asked = request.POST.get("to_stage") or request.GET.get("to")
    if asked in by_stage and not by_stage[asked].blockers:
        return by_stage[asked]
    return next((m for m in moves if m.kind == "next" and not m.blockers), None)


class _Page:
    """The stage page's parts for a project as read: the moves the service accepts from
    its stage, the chosen one, the materials they need and which are on file."""

    def __init__(self, request, project: Project):
        self.project = project
        self.moves = stage_moves(project)
        self.target = _target(request, self.moves)
        codes = {code for move in self.moves for code in move.evidence}
        self.materials = {m.code: m for m in MaterialType.objects.filter(code__in=codes)}
        self.on_file = evidence_on_file(project, codes)

    @property
    def evidence_types(self) -> list[MaterialType]:
        codes = self.target.evidence if self.target else ()
        return [self.materials[code] for code in codes if code in self.materials]

    def blank_form(self) -> StageChangeForm:
        return self.form(initial={"to_stage": self.target_stage, "occurred_on": clock.today()})

    def form(self, *args, **kwargs) -> StageChangeForm:
        return StageChangeForm(
            *args,
            project=self.project,
            moves=self.moves,
            evidence_types=self.evidence_types,
            **kwargs,
        )

    @property
    def target_stage(self) -> str | None:
        return self.target.stage if self.target else None

    def options(self) -> list[dict]:
        """Each move with its evidence (material, version on file or None), grouped."""
        groups: dict[str, dict] = {}
        for move in self.moves:
            group = groups.setdefault(move.kind, {"label": MOVE_GROUPS[move.kind], "moves": []})
            group["moves"].append(
                {
                    "move": move,
                    "evidence": [
                        (self.materials.get(code), code, self.on_file.get(code))
                        for code in move.evidence
                    ],
                }
            )
        return [groups[kind] for kind in MOVE_GROUPS if kind in groups]


def _stage_page(request, page: _Page, form, *, status=200, stale=""):
    target = page.target
    evidence = [
        (m, form[f"evidence_{m.code}"], page.on_file.get(m.code)) for m in page.evidence_types
    ]
    context = project_context(
        request,
        page.project,
        "timeline",
        form=form,
        evidence=evidence,
        target=target,
        to_stage=page.target_stage,
        stage_groups=page.options(),
        stale=stale,
        # An import (补录) the bureau has not confirmed holds every move (asked already).
        import_pending=pending_batch(page.project),
    )
    return render(request, "projects/stage_change.html", context, status=status)


@login_required
def stage_change(request, pk):
    """Move the project to another stage; someone else's change first is 409 with the
    project as it is now."""
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    page = _Page(request, project)
    if request.method != "POST":
        return _stage_page(request, page, page.blank_form())
    form = page.form(request.POST, request.FILES)

    def render_page(form, status, stale):
        if status != 409:
            return _stage_page(request, page, form, status=status)
        fresh = _Page(request, get_visible_project(request, pk))
        return _stage_page(request, fresh, fresh.blank_form(), status=409, stale=stale)

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
