"""A commitment: made, its page with the reverse schedule and the Gantt chart, planned
again, a milestone's progress reported or moved, filed to the park committee."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.agreements import gantt, permissions, services
from zhaoshang.agreements.forms import (
    ChangeRequestForm,
    CommitmentForm,
    FileForm,
    ProgressForm,
    RescheduleForm,
    StepFormSet,
    TemplateChoiceForm,
)
from zhaoshang.agreements.models import (
    ArchiveVersion,
    ChangeRequest,
    Commitment,
    Milestone,
    ScheduleTemplate,
)
from zhaoshang.agreements.schedule import earliest_target
from zhaoshang.agreements.views.common import (
    days_left_text,
)
from zhaoshang.core import clock
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.audit import event_label
from zhaoshang.core.models import DomainEvent
from zhaoshang.projects.views import get_visible_project, project_context

# ---------------------------------------------------------------------------------------
# A commitment: create, page, Gantt, plan, progress, filing


def _visible_commitment(request, pk) -> Commitment:
    return get_object_or_404(
        Commitment.objects.visible_to(request.user).select_related(
            "project", "department", "owner", "obligation", "template"
        ),
        pk=pk,
    )


def _template_steps(request, district_id) -> tuple[TemplateChoiceForm, ScheduleTemplate | None]:
    chooser = TemplateChoiceForm(request.GET or None, district_id=district_id)
    template = None
    if chooser.is_valid():
        template = chooser.cleaned_data.get("template")
    return chooser, template


def _posted_template(request, district_id) -> ScheduleTemplate | None:
    template_id = request.POST.get("template")
    if not (template_id and template_id.isdigit()):
        return None
    return ScheduleTemplate.objects.filter(district_id=district_id, pk=template_id).first()


def _blank_commitment_forms(user, project, departments, template):
    """The new commitment's form and its steps, filled from ``template``, and the hint
    that says the earliest target date the template allows."""
    steps = services.steps_from_template(template) if template else []
    initial_department = departments.filter(pk=user.department_id).first() or None
    form = CommitmentForm(
        initial={"department": initial_department, "start_on": clock.today()},
        project=project,
        departments=departments,
    )
    formset = StepFormSet(
        prefix="steps",
        district_id=project.district_id,
        initial=[
            {
                "name": s.name,
                "duration": s.duration,
                "owner_department": s.owner_department.pk if s.owner_department else None,
            }
            for s in steps
        ],
    )
    hint = ""
    if steps:
        hint = _(
            "The template's steps take %(n)s working days: planning from today, the "
            "earliest target date is %(date)s."
        ) % {
            "n": sum(s.duration for s in steps),
            "date": earliest_target(steps, clock.today()).isoformat(),
        }
    return form, formset, hint


@login_required
def commitment_create(request, pk):
    project = get_visible_project(request, pk)
    user = request.user
    if not permissions.can_create_commitment(user, project):
        raise PermissionDenied
    departments = permissions.commitment_departments(user)
    chooser, template = _template_steps(request, project.district_id)
    hint = ""
    if request.method == "POST":
        form = CommitmentForm(request.POST, project=project, departments=departments)
        formset = StepFormSet(request.POST, prefix="steps", district_id=project.district_id)
        template = _posted_template(request, project.district_id)
    else:
        form, formset, hint = _blank_commitment_forms(user, project, departments, template)

    return form_post(
        request,
        form,
        lambda data: services.create_commitment(
            user,
            project,
            department=data["department"],
            steps=[step for _pk, step in formset.steps()],
            template=template,
            **form.service_data(),
        ),
        render_page=form_page(
            request,
            "agreements/commitment_form.html",
            more=lambda: project_context(
                request,
                project,
                "agreement",
                formset=formset,
                chooser=chooser,
                template=template,
                hint=hint,
                commitment=None,
            ),
        ),
        redirect_to=lambda commitment: reverse("agreements:commitment", args=[commitment.pk]),
        success=lambda commitment: (
            _("The commitment “%(title)s” and its schedule have been saved.")
            % {"title": commitment.title}
        ),
        formsets=[formset],
    )


def _milestones(commitment, today):
    return list(
        Milestone.objects.filter(commitment=commitment)
        .with_state(today)
        .select_related("owner_department", "owner")
        .order_by("seq", "id")
    )


def _commitment_context(request, commitment, forms=None, stale="") -> dict:
    today = clock.today()
    user = request.user
    commitment = (
        Commitment.objects.filter(pk=commitment.pk)
        .with_progress(today)
        .select_related("project__enterprise", "department", "owner", "obligation", "template")
        .get()
    )
    project = get_visible_project(request, commitment.project_id)
    milestones = _milestones(commitment, today)
    can_manage = permissions.can_manage_commitment(user, commitment)
    forms = forms or {}
    filed = bool(commitment.filed_version)
    for m in milestones:
        m.days_left_text = days_left_text(m)
        m.can_report = not m.done_on and permissions.can_report_progress(user, m, commitment)
        # A filed plan moves only by an approved change request; a missed milestone never.
        m.can_move = can_manage and not filed and _movable(m, today)
        if m.can_report:
            m.progress_form = forms.get(("progress", m.pk)) or ProgressForm(
                initial={"version": m.version, "progress": m.progress},
                auto_id=f"id_p{m.pk}_%s",
            )
        if m.can_move:
            m.reschedule_form = forms.get(("reschedule", m.pk)) or RescheduleForm(
                initial={"version": m.version, "due_on": m.due_on},
                auto_id=f"id_r{m.pk}_%s",
            )
    versions = list(
        ArchiveVersion.objects.filter(commitment=commitment)
        .select_related("filed_by", "committee")
        .order_by("-number")
    )
    events = list(
        DomainEvent.objects.for_object(commitment)
        .select_related("actor")
        .order_by("-occurred_at")[:50]
    )
    for event in events:
        event.display = event_label(event.verb)
    context = project_context(
        request,
        project,
        "agreement",
        commitment=commitment,
        milestones=milestones,
        versions=versions,
        events=events,
        can_manage=can_manage,
        stale=stale,
        today=today,
        gantt=gantt.layout(commitment, milestones, today),
    )
    if can_manage and commitment.needs_filing:
        context["file_form"] = forms.get("file") or FileForm(
            initial={"version": commitment.version}
        )
    changes = list(
        ChangeRequest.objects.filter(commitment=commitment)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )
    context["changes"] = changes
    pending = any(c.is_pending for c in changes)
    if filed and not pending and permissions.can_request_change(user, commitment):
        context["change_form"] = forms.get("change") or ChangeRequestForm(
            initial={"version": commitment.version},
            milestones=movable_milestones(milestones, today),
            auto_id="id_c_%s",
        )
    return context


def _movable(milestone, today) -> bool:
    """Not done and not missed: its due date may still move."""
    return not milestone.done_on and milestone.due_on >= today


def movable_milestones(milestones, today) -> list:
    """The milestones a change request may move: not done, not missed."""
    return [m for m in milestones if _movable(m, today)]


@login_required
def commitment_detail(request, pk):
    commitment = _visible_commitment(request, pk)
    return render(request, "agreements/commitment.html", _commitment_context(request, commitment))


@login_required
def commitment_gantt(request, pk):
    commitment = _visible_commitment(request, pk)
    today = clock.today()
    project = get_visible_project(request, commitment.project_id)
    milestones = _milestones(commitment, today)
    return render(
        request,
        "agreements/gantt.html",
        project_context(
            request,
            project,
            "agreement",
            commitment=commitment,
            milestones=milestones,
            gantt=gantt.layout(commitment, milestones, today),
            today=today,
        ),
    )


def _commitment_forms(commitment, project, departments):
    """The commitment's form and its steps as they are, to plan again."""
    form = CommitmentForm(
        initial={
            "title": commitment.title,
            "content": commitment.content,
            "clause": commitment.clause,
            "obligation": commitment.obligation,
            "owner": commitment.owner,
            "start_on": commitment.start_on,
            "target_on": commitment.target_on,
            "version": commitment.version,
        },
        project=project,
        departments=departments,
        editing=True,
    )
    formset = StepFormSet(
        prefix="steps",
        district_id=project.district_id,
        initial=[
            {
                "milestone": m.pk,
                "name": m.name,
                "duration": m.duration_workdays,
                "owner_department": m.owner_department_id,
                "owner": m.owner_id,
            }
            for m in commitment.milestones.order_by("seq", "id")
        ],
    )
    return form, formset


@login_required
def commitment_edit(request, pk):
    commitment = _visible_commitment(request, pk)
    user = request.user
    if not permissions.can_manage_commitment(user, commitment):
        raise PermissionDenied
    project = get_visible_project(request, commitment.project_id)
    departments = permissions.commitment_departments(user)
    if request.method == "POST":
        form = CommitmentForm(request.POST, project=project, departments=departments, editing=True)
        formset = StepFormSet(request.POST, prefix="steps", district_id=project.district_id)
    else:
        form, formset = _commitment_forms(commitment, project, departments)

    return form_post(
        request,
        form,
        lambda data: services.replan_commitment(
            user,
            commitment,
            steps=formset.steps(),
            expected_version=data.get("version"),
            **form.service_data(),
        ),
        render_page=form_page(
            request,
            "agreements/commitment_form.html",
            more=lambda: project_context(
                request,
                project,
                "agreement",
                formset=formset,
                commitment=commitment,
                chooser=None,
                hint="",
            ),
        ),
        redirect_to=commitment.get_absolute_url(),
        success=_("The commitment has been planned again."),
        formsets=[formset],
    )


def _visible_milestone(request, pk) -> Milestone:
    return get_object_or_404(
        Milestone.objects.visible_to(request.user).select_related(
            "commitment__project", "commitment__department"
        ),
        pk=pk,
    )


@login_required
@require_POST
def milestone_progress(request, pk):
    return _milestone_action(
        request,
        pk,
        allowed=lambda user, m: permissions.can_report_progress(user, m, m.commitment),
        form_class=ProgressForm,
        name="progress",
        act=lambda m, data: services.report_progress(
            request.user,
            m,
            progress=data["progress"],
            done_on=data["done_on"],
            note=data["note"],
            expected_version=data["version"],
        ),
        done=_("The progress of “%(name)s” is recorded."),
    )


@login_required
@require_POST
def milestone_reschedule(request, pk):
    return _milestone_action(
        request,
        pk,
        allowed=lambda user, m: permissions.can_manage_commitment(user, m.commitment),
        form_class=RescheduleForm,
        name="reschedule",
        act=lambda m, data: services.reschedule_milestone(
            request.user,
            m,
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=_("“%(name)s” has been moved."),
    )


def _milestone_action(request, pk, *, allowed, form_class, name, act, done):
    """One action form posted from a milestone's row on the commitment page: a refusal
    re-renders the page with that row's form open (400), a stale version says so (409)."""
    milestone = _visible_milestone(request, pk)
    commitment = milestone.commitment
    if not allowed(request.user, milestone):
        raise PermissionDenied
    prefix = f"{name[0]}{milestone.pk}"  # p12 / r12: the row's form ids and its open state

    def render_page(form, status, stale):
        if status == 409:
            context = _commitment_context(request, commitment, stale=stale)
        else:
            context = _commitment_context(request, commitment, forms={(name, milestone.pk): form})
            context["open_form"] = prefix
        return render(request, "agreements/commitment.html", context, status=status)

    return form_post(
        request,
        form_class(request.POST, auto_id=f"id_{prefix}_%s"),
        lambda data: act(milestone, data),
        render_page=render_page,
        redirect_to=commitment.get_absolute_url(),
        success=done % {"name": milestone.name},
    )


@login_required
@require_POST
def commitment_file(request, pk):
    commitment = _visible_commitment(request, pk)
    if not permissions.can_manage_commitment(request.user, commitment):
        raise PermissionDenied

    def render_page(form, status, stale):
        if status == 409:
            context = _commitment_context(request, commitment, stale=stale)
        else:
            context = _commitment_context(request, commitment, forms={"file": form})
            context["file_form"] = form
        return render(request, "agreements/commitment.html", context, status=status)

    return form_post(
        request,
        FileForm(request.POST),
        lambda data: services.file_commitment(
            request.user, commitment, note=data["note"], expected_version=data["version"]
        ),
        render_page=render_page,
        redirect_to=commitment.get_absolute_url(),
        success=lambda version: (
            _("Version %(n)s is filed to the park committee's archive.") % {"n": version.number}
        ),
    )
