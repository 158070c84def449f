"""Agreement and commitment pages (SPEC §8): the project's agreement tab (terms,
obligations with their derived status and evidence, commitments), the agreement and
obligation forms, each department's commitments and milestones with their lights, a
commitment's page with its reverse schedule and the Gantt chart, and the park committee's
archive with its versions and their comparison.

Every change goes through ``agreements.services``; these views parse input, check who may
see the page, and show the services' answers next to the fields they concern.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.agreements import gantt, permissions, services
from zhaoshang.agreements.choices import (
    FACT_KINDS,
    Light,
    ObligationKind,
    Party,
)
from zhaoshang.agreements.forms import (
    AgreementForm,
    ArchiveFilterForm,
    CommitmentFilterForm,
    CommitmentForm,
    ConfirmForm,
    FileForm,
    MilestoneFilterForm,
    ObligationForm,
    ProgressForm,
    RescheduleForm,
    ScheduleFormSet,
    StepFormSet,
    TemplateChoiceForm,
    WaiveForm,
    schedule_rows,
)
from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    Commitment,
    Milestone,
    Obligation,
    ObligationBreach,
    ScheduleTemplate,
)
from zhaoshang.agreements.schedule import earliest_target
from zhaoshang.core import clock, roles
from zhaoshang.core.audit import event_label
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.core.history import history_rows
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects.models import DocumentVersion, FundsEntry, MonthlyReport, StageEvent
from zhaoshang.projects.views import _project_context, get_visible_project

# Roles whose users see the district's commitments; a department's handlers see theirs.
DISTRICT_LIST_ROLES = (Role.BUREAU, Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.SERVICE_CENTER)
LIGHT_ORDER = Case(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.YELLOW, then=Value(1)),
    When(light=Light.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _today() -> datetime.date:
    return clock.today()


def own_department_only(user) -> bool:
    return roles.has_role(user, Role.DEPARTMENT) and not roles.has_role(user, *DISTRICT_LIST_ROLES)


def days_left_text(row) -> str:
    """剩余 N 个工作日 / 超期 N 个工作日 from the ``days_left`` annotated in SQL."""
    left = getattr(row, "days_left", None)
    if left is None or getattr(row, "light", Light.NONE) == Light.NONE:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}


# ---------------------------------------------------------------------------------------
# The project's agreement tab


def _obligations(agreement, today):
    return list(
        Obligation.objects.filter(agreement=agreement)
        .with_status(today)
        .annotate(
            has_breach=Exists(ObligationBreach.objects.filter(obligation=OuterRef("pk"))),
            has_commitment=Exists(Commitment.objects.filter(obligation=OuterRef("pk"))),
        )
        .select_related("department", "confirmed_by", "waived_by")
        .order_by("party", "due_on", "id")
    )


def attach_evidence(project, obligations, today) -> None:
    """Give each obligation what its status rests on, read once for the project: the funds
    entries up to the day the target was reached (or up to today), the stage event and its
    documents, the monthly report, the commitment."""
    kinds = {o.kind for o in obligations}
    funds = []
    if ObligationKind.FUNDS in kinds:
        funds = list(
            FundsEntry.objects.filter(project=project, received_on__lte=today).order_by(
                "received_on", "id"
            )
        )
    refs = defaultdict(set)
    for o in obligations:
        if o.evidence_ref:
            refs[o.kind].add(o.evidence_ref)
    events = {}
    if refs[ObligationKind.STAGE]:
        events = {
            e.pk: e
            for e in StageEvent.objects.filter(pk__in=refs[ObligationKind.STAGE]).prefetch_related(
                Prefetch(
                    "evidence",
                    queryset=DocumentVersion.objects.select_related("document__material_type"),
                )
            )
        }
    reports = {}
    if refs[ObligationKind.INVESTMENT]:
        reports = MonthlyReport.objects.in_bulk(refs[ObligationKind.INVESTMENT])
    commitments = {}
    if refs[ObligationKind.SERVICE]:
        commitments = Commitment.objects.in_bulk(refs[ObligationKind.SERVICE])
    for o in obligations:
        o.days_left_text = days_left_text(o)
        o.funds = []
        if o.kind == ObligationKind.FUNDS:
            until = o.met_on or today
            running = 0
            for entry in funds:
                if entry.received_on > until:
                    break
                running += entry.amount
                o.funds.append((entry, running))
        o.stage_event = events.get(o.evidence_ref) if o.kind == ObligationKind.STAGE else None
        o.report = reports.get(o.evidence_ref) if o.kind == ObligationKind.INVESTMENT else None
        o.commitment = commitments.get(o.evidence_ref) if o.kind == ObligationKind.SERVICE else None
        # A service a commitment fulfils is met by the commitment, not confirmed by hand.
        o.manual = o.kind not in FACT_KINDS and not getattr(o, "has_commitment", False)


def _commitments_of(project, today):
    return list(
        Commitment.objects.filter(project=project)
        .with_progress(today)
        .select_related("department", "owner", "obligation")
        .order_by("target_on", "id")
    )


@login_required
def project_agreement(request, pk):
    project = get_visible_project(request, pk)
    today = _today()
    agreement = (
        Agreement.objects.filter(project=project)
        .with_performance(today)
        .select_related("document__document__material_type", "created_by")
        .first()
    )
    obligations = _obligations(agreement, today) if agreement else []
    attach_evidence(project, obligations, today)
    commitments = _commitments_of(project, today)
    user = request.user
    return render(
        request,
        "agreements/project.html",
        _project_context(
            request,
            project,
            "agreement",
            agreement=agreement,
            enterprise_obligations=[o for o in obligations if o.party == Party.ENTERPRISE],
            department_obligations=[o for o in obligations if o.party == Party.DEPARTMENT],
            commitments=commitments,
            can_edit_agreement=permissions.can_edit_agreement(user, project),
            can_commit=permissions.can_create_commitment(user, project),
            today=today,
        ),
    )


def _agreement_form_page(request, project, agreement=None):
    user = request.user
    if not permissions.can_edit_agreement(user, project):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES)
        formset = ScheduleFormSet(request.POST, prefix="schedule")
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.save_agreement(
                    user,
                    project,
                    fields=form.header_data(),
                    terms=form.term_data(),
                    schedule=schedule_rows(formset),
                    document=form.cleaned_data.get("document"),
                    agreement=agreement,
                    expected_version=form.cleaned_data.get("version"),
                )
            except ConcurrentEditError as exc:
                form.add_error(None, " ".join(exc.messages))
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("The agreement %(number)s has been saved.") % {"number": saved.number},
                )
                return redirect("agreements:project", pk=project.pk)
        else:
            status = 400
    else:
        values = services.term_values(agreement)
        if agreement is not None:
            initial = {name: getattr(agreement, name) for name in AgreementForm.HEADER}
            initial["version"] = agreement.version
        else:
            initial = {
                "signed_on": project.signed_on,
                "government_party": _("%(district)s People's Government")
                % {"district": project.district.name},
                "enterprise_party": project.enterprise.name if project.enterprise_id else "",
                "contracted_investment": project.total_investment,
                "land_area": project.land_area,
                "start_by": project.planned_start_on,
                "completion_by": project.planned_completion_on,
                "production_by": project.planned_production_on,
                "intensity": project.investment_intensity,
                "intensity_by": project.planned_production_on,
                "tax": project.committed_tax,
                "jobs": project.committed_jobs,
                "energy": project.energy_commitment[:200] or None,
            }
        for name, value in values["terms"].items():
            if value is not None:
                initial[name] = value
        form = AgreementForm(initial=initial)
        formset = ScheduleFormSet(
            prefix="schedule",
            initial=[{"due_on": d, "amount": a} for d, a in values["schedule"]],
        )
    return render(
        request,
        "agreements/agreement_form.html",
        _project_context(
            request, project, "agreement", form=form, formset=formset, agreement=agreement
        ),
        status=status,
    )


@login_required
def agreement_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_edit_agreement(request.user, project):
        raise PermissionDenied
    if Agreement.objects.filter(project=project).exists():
        messages.info(request, _("The project has an agreement already: edit it."))
        return redirect("agreements:project", pk=project.pk)
    return _agreement_form_page(request, project)


def _visible_agreement(request, pk) -> Agreement:
    return get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related("project"), pk=pk
    )


@login_required
def agreement_edit(request, pk):
    agreement = _visible_agreement(request, pk)
    project = get_visible_project(request, agreement.project_id)
    return _agreement_form_page(request, project, agreement)


# ---------------------------------------------------------------------------------------
# Obligations


def _visible_obligation(request, pk) -> Obligation:
    return get_object_or_404(
        Obligation.objects.visible_to(request.user).select_related("agreement"), pk=pk
    )


def _obligation_form_page(request, agreement, obligation=None):
    project = get_visible_project(request, agreement.project_id)
    user = request.user
    if not permissions.can_edit_agreement(user, project):
        raise PermissionDenied
    if obligation is not None and obligation.term:
        messages.info(request, _("This obligation is a term of the agreement: edit the agreement."))
        return redirect("agreements:edit", pk=agreement.pk)
    status = 200
    if request.method == "POST":
        form = ObligationForm(request.POST, district_id=project.district_id)
        if form.is_valid():
            try:
                if obligation is None:
                    saved = services.add_obligation(user, agreement, **form.service_data())
                else:
                    saved = services.update_obligation(
                        user,
                        obligation,
                        form.cleaned_data.get("version"),
                        **form.service_data(),
                    )
            except ConcurrentEditError as exc:
                form.add_error(None, " ".join(exc.messages))
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("The obligation “%(title)s” has been saved.") % {"title": saved.description},
                )
                return redirect("agreements:obligation", pk=saved.pk)
        else:
            status = 400
    else:
        initial = {"party": Party.DEPARTMENT, "kind": ObligationKind.SERVICE}
        if obligation is not None:
            initial = {
                name: getattr(obligation, name)
                for name in ("party", "department", "title", "kind", "target_amount")
            }
            initial.update(
                target_stage=obligation.target_stage,
                target_text=obligation.target_text,
                due_on=obligation.due_on,
                version=obligation.version,
            )
        form = ObligationForm(initial=initial, district_id=project.district_id)
    return render(
        request,
        "agreements/obligation_form.html",
        _project_context(
            request, project, "agreement", form=form, agreement=agreement, obligation=obligation
        ),
        status=status,
    )


@login_required
def obligation_create(request, pk):
    agreement = _visible_agreement(request, pk)
    return _obligation_form_page(request, agreement)


@login_required
def obligation_edit(request, pk):
    obligation = _visible_obligation(request, pk)
    return _obligation_form_page(request, obligation.agreement, obligation)


def _obligation_context(request, obligation_pk, confirm_form=None, waive_form=None, stale=""):
    today = _today()
    ob = get_object_or_404(
        Obligation.objects.visible_to(request.user)
        .with_status(today)
        .annotate(has_commitment=Exists(Commitment.objects.filter(obligation=OuterRef("pk"))))
        .select_related("agreement", "department", "confirmed_by", "waived_by"),
        pk=obligation_pk,
    )
    project = get_visible_project(request, ob.agreement.project_id)
    attach_evidence(project, [ob], today)
    breach = ObligationBreach.objects.filter(obligation=ob).first()
    user = request.user
    can_confirm = ob.manual and not ob.waived_on and permissions.can_confirm(user, ob, project)
    can_edit = permissions.can_edit_agreement(user, project)
    all_funds = []
    if ob.kind == ObligationKind.FUNDS:
        running = 0
        for entry in FundsEntry.objects.filter(project=project).order_by("received_on", "id"):
            running += entry.amount
            all_funds.append((entry, running, ob.met_on and entry.received_on <= ob.met_on))
    fulfilling = list(
        Commitment.objects.filter(obligation=ob)
        .with_progress(today)
        .select_related("department")
        .order_by("target_on")
    )
    events = list(
        DomainEvent.objects.for_object(ob).select_related("actor").order_by("-occurred_at")
    )
    for event in events:
        event.display = event_label(event.verb)
    context = _project_context(
        request,
        project,
        "agreement",
        ob=ob,
        breach=breach,
        all_funds=all_funds,
        fulfilling=fulfilling,
        events=events,
        history=history_rows(ob.history.all(), Obligation, subject=_("Obligation")),
        can_confirm=can_confirm,
        can_waive=can_edit and not ob.waived_on,
        can_edit_obligation=can_edit and not ob.term,
        stale=stale,
    )
    if can_confirm:
        context["confirm_form"] = confirm_form or ConfirmForm(
            initial={"version": ob.version}, auto_id="id_confirm_%s"
        )
    if context["can_waive"]:
        context["waive_form"] = waive_form or WaiveForm(
            initial={"version": ob.version}, auto_id="id_waive_%s"
        )
    return context


@login_required
def obligation_detail(request, pk):
    return render(request, "agreements/obligation.html", _obligation_context(request, pk))


@login_required
@require_POST
def obligation_confirm(request, pk):
    return _obligation_action(
        request,
        pk,
        allowed=permissions.can_confirm,
        form=ConfirmForm(request.POST, request.FILES, auto_id="id_confirm_%s"),
        name="confirm",
        act=lambda ob, data: services.confirm_obligation(
            request.user,
            ob,
            met_on=data["met_on"],
            evidence=data["evidence"],
            note=data["note"],
            expected_version=data["version"],
        ),
        done=_("The obligation is confirmed with its evidence."),
    )


@login_required
@require_POST
def obligation_waive(request, pk):
    return _obligation_action(
        request,
        pk,
        allowed=lambda user, ob, project: permissions.can_edit_agreement(user, project),
        form=WaiveForm(request.POST, auto_id="id_waive_%s"),
        name="waive",
        act=lambda ob, data: services.waive_obligation(
            request.user,
            ob,
            reason=data["reason"],
            waived_on=data["waived_on"],
            expected_version=data["version"],
        ),
        done=_("The obligation is waived."),
    )


def _obligation_action(request, pk, *, allowed, form, name, act, done):
    """One action form posted on the obligation page: the service decides, a refusal
    re-renders the page with the form's errors (400), a stale version says so (409)."""
    ob = _visible_obligation(request, pk)
    project = get_visible_project(request, ob.agreement.project_id)
    if not allowed(request.user, ob, project):
        raise PermissionDenied
    if form.is_valid():
        try:
            act(ob, form.cleaned_data)
        except ConcurrentEditError as exc:
            context = _obligation_context(request, pk, stale=" ".join(exc.messages))
            return render(request, "agreements/obligation.html", context, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("agreements:obligation", pk=ob.pk)
    context = _obligation_context(request, pk, **{f"{name}_form": form})
    context[f"can_{name}"] = True
    context[f"{name}_form"] = form
    return render(request, "agreements/obligation.html", context, status=400)


@login_required
def obligation_evidence(request, pk):
    ob = _visible_obligation(request, pk)
    if not ob.evidence:
        raise Http404
    return FileResponse(ob.evidence.open("rb"), as_attachment=True, filename=ob.evidence_name)


# ---------------------------------------------------------------------------------------
# A department's commitments and milestones


def filtered_commitments(request, today):
    user = request.user
    own = own_department_only(user)
    form = CommitmentFilterForm(request.GET or None, user=user, own_department_only=own)
    qs = Commitment.objects.visible_to(user).with_progress(today)
    if own:
        qs = qs.filter(department_id=user.department_id)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        if data.get("light"):
            qs = qs.filter(light=data["light"])
        state = data.get("state")
        if state == "open":
            qs = qs.filter(completed_on__isnull=True)
        elif state == "completed":
            qs = qs.filter(completed_on__isnull=False)
        elif state == "unfiled":
            qs = qs.filter(Q(filed_version=0) | Q(changed_since_filing=True))
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(
                Q(title__icontains=text)
                | Q(project__name__icontains=text)
                | Q(project__code__icontains=text)
            )
    return (
        form,
        qs.annotate(light_order=LIGHT_ORDER).order_by("light_order", "target_on", "id"),
        own,
    )


@login_required
def commitment_list(request):
    today = _today()
    form, qs, own = filtered_commitments(request, today)
    qs = qs.select_related("project", "department", "owner")
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
    page = paginate(request, qs)
    return render(
        request,
        "agreements/commitments.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own,
            "department": request.user.department if own else None,
            "show_district": roles.sees_all_districts(request.user),
            "today": today,
        },
    )


@login_required
def milestone_list(request):
    today = _today()
    user = request.user
    own = own_department_only(user)
    form = MilestoneFilterForm(request.GET or None, user=user, own_department_only=own)
    qs = Milestone.objects.visible_to(user).open().with_state(today)
    if own:
        qs = qs.filter(
            Q(owner_department_id=user.department_id)
            | Q(commitment__department_id=user.department_id)
        )
    if form.is_valid():
        data = form.cleaned_data
        if data.get("department"):
            qs = qs.filter(owner_department=data["department"])
        if data.get("light"):
            qs = qs.filter(light=data["light"])
    qs = qs.select_related(
        "commitment__project", "commitment__department", "owner_department", "owner"
    ).order_by(F("days_left").asc(nulls_last=True), "due_on", "id")
    page = paginate(request, qs)
    for m in page:
        m.days_left_text = days_left_text(m)
    return render(
        request,
        "agreements/milestones.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own,
            "department": user.department if own else None,
        },
    )


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


@login_required
def commitment_create(request, pk):
    project = get_visible_project(request, pk)
    user = request.user
    if not permissions.can_create_commitment(user, project):
        raise PermissionDenied
    departments = permissions.commitment_departments(user)
    chooser, template = _template_steps(request, project.district_id)
    status = 200
    hint = ""
    if request.method == "POST":
        form = CommitmentForm(request.POST, project=project, departments=departments)
        formset = StepFormSet(request.POST, prefix="steps", district_id=project.district_id)
        template_id = request.POST.get("template")
        template = (
            ScheduleTemplate.objects.filter(district_id=project.district_id, pk=template_id).first()
            if template_id and template_id.isdigit()
            else None
        )
        if form.is_valid() and formset.is_valid():
            steps = [step for _pk, step in formset.steps()]
            try:
                commitment = services.create_commitment(
                    user,
                    project,
                    department=form.cleaned_data["department"],
                    steps=steps,
                    template=template,
                    **form.service_data(),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("The commitment “%(title)s” and its schedule have been saved.")
                    % {"title": commitment.title},
                )
                return redirect("agreements:commitment", pk=commitment.pk)
        else:
            status = 400
    else:
        steps = services.steps_from_template(template) if template else []
        initial_department = departments.filter(pk=user.department_id).first() or None
        form = CommitmentForm(
            initial={"department": initial_department, "start_on": _today()},
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
        if steps:
            hint = _(
                "The template's steps take %(n)s working days: planning from today, the "
                "earliest target date is %(date)s."
            ) % {
                "n": sum(s.duration for s in steps),
                "date": earliest_target(steps, _today()).isoformat(),
            }
    return render(
        request,
        "agreements/commitment_form.html",
        _project_context(
            request,
            project,
            "agreement",
            form=form,
            formset=formset,
            chooser=chooser,
            template=template,
            hint=hint,
            commitment=None,
        ),
        status=status,
    )


def _milestones(commitment, today):
    return list(
        Milestone.objects.filter(commitment=commitment)
        .with_state(today)
        .select_related("owner_department", "owner")
        .order_by("seq", "id")
    )


def _commitment_context(request, commitment, forms=None, stale="") -> dict:
    today = _today()
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
    for m in milestones:
        m.days_left_text = days_left_text(m)
        m.can_report = not m.done_on and permissions.can_report_progress(user, m, commitment)
        m.can_move = can_manage and not m.done_on
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
    context = _project_context(
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
    return context


@login_required
def commitment_detail(request, pk):
    commitment = _visible_commitment(request, pk)
    return render(request, "agreements/commitment.html", _commitment_context(request, commitment))


@login_required
def commitment_gantt(request, pk):
    commitment = _visible_commitment(request, pk)
    today = _today()
    project = get_visible_project(request, commitment.project_id)
    milestones = _milestones(commitment, today)
    return render(
        request,
        "agreements/gantt.html",
        _project_context(
            request,
            project,
            "agreement",
            commitment=commitment,
            milestones=milestones,
            gantt=gantt.layout(commitment, milestones, today),
            today=today,
        ),
    )


@login_required
def commitment_edit(request, pk):
    commitment = _visible_commitment(request, pk)
    user = request.user
    if not permissions.can_manage_commitment(user, commitment):
        raise PermissionDenied
    project = get_visible_project(request, commitment.project_id)
    departments = permissions.commitment_departments(user)
    status = 200
    if request.method == "POST":
        form = CommitmentForm(request.POST, project=project, departments=departments, editing=True)
        formset = StepFormSet(request.POST, prefix="steps", district_id=project.district_id)
        if form.is_valid() and formset.is_valid():
            try:
                services.replan_commitment(
                    user,
                    commitment,
                    steps=formset.steps(),
                    expected_version=form.cleaned_data.get("version"),
                    **form.service_data(),
                )
            except ConcurrentEditError as exc:
                form.add_error(None, " ".join(exc.messages))
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The commitment has been planned again."))
                return redirect("agreements:commitment", pk=commitment.pk)
        else:
            status = 400
    else:
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
    return render(
        request,
        "agreements/commitment_form.html",
        _project_context(
            request,
            project,
            "agreement",
            form=form,
            formset=formset,
            commitment=commitment,
            chooser=None,
            hint="",
        ),
        status=status,
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
    form = form_class(request.POST, auto_id=f"id_{prefix}_%s")
    if form.is_valid():
        try:
            act(milestone, form.cleaned_data)
        except ConcurrentEditError as exc:
            context = _commitment_context(request, commitment, stale=" ".join(exc.messages))
            return render(request, "agreements/commitment.html", context, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done % {"name": milestone.name})
            return redirect("agreements:commitment", pk=commitment.pk)
    context = _commitment_context(request, commitment, forms={(name, milestone.pk): form})
    context["open_form"] = prefix
    return render(request, "agreements/commitment.html", context, status=400)


@login_required
@require_POST
def commitment_file(request, pk):
    commitment = _visible_commitment(request, pk)
    if not permissions.can_manage_commitment(request.user, commitment):
        raise PermissionDenied
    form = FileForm(request.POST)
    if form.is_valid():
        try:
            version = services.file_commitment(
                request.user,
                commitment,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError as exc:
            context = _commitment_context(request, commitment, stale=" ".join(exc.messages))
            return render(request, "agreements/commitment.html", context, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s is filed to the park committee's archive.")
                % {"n": version.number},
            )
            return redirect("agreements:commitment", pk=commitment.pk)
    context = _commitment_context(request, commitment, forms={"file": form})
    context["file_form"] = form
    return render(request, "agreements/commitment.html", context, status=400)


# ---------------------------------------------------------------------------------------
# The park committee's archive


@login_required
@require_GET
def archive(request):
    user = request.user
    form = ArchiveFilterForm(request.GET or None, user=user)
    qs = ArchiveVersion.objects.visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("park"):
            qs = qs.filter(park=data["park"])
        if data.get("department"):
            qs = qs.filter(commitment__department=data["department"])
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(
                Q(commitment__title__icontains=text)
                | Q(commitment__project__name__icontains=text)
                | Q(commitment__project__code__icontains=text)
            )
    qs = qs.select_related(
        "commitment__project", "commitment__department", "park", "committee", "filed_by"
    ).order_by("-filed_at", "-id")
    if roles.sees_all_districts(user):
        qs = qs.select_related("district")
    page = paginate(request, qs)
    return render(
        request,
        "agreements/archive.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "show_district": roles.sees_all_districts(user),
        },
    )


def _visible_version(request, pk) -> ArchiveVersion:
    return get_object_or_404(
        ArchiveVersion.objects.visible_to(request.user).select_related(
            "commitment__project", "park", "committee", "filed_by"
        ),
        pk=pk,
    )


@login_required
@require_GET
def version_detail(request, pk):
    version = _visible_version(request, pk)
    others = list(
        ArchiveVersion.objects.filter(commitment_id=version.commitment_id)
        .order_by("-number")
        .values_list("pk", "number")
    )
    return render(
        request,
        "agreements/version.html",
        {
            "version": version,
            "content": version.content,
            "commitment": version.commitment,
            "others": others,
            "previous": next((n for _pk, n in others if n < version.number), None),
        },
    )


@login_required
@require_GET
def version_compare(request, pk):
    commitment = _visible_commitment(request, pk)
    versions = {
        v.number: v
        for v in ArchiveVersion.objects.filter(commitment=commitment).select_related("filed_by")
    }
    numbers = sorted(versions)

    def pick(name, default):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in versions else default

    new = pick("b", numbers[-1] if numbers else None)
    old = pick("a", numbers[-2] if len(numbers) > 1 else None)
    diff = None
    if old is not None and new is not None and old != new:
        diff = services.compare_versions(versions[old].content, versions[new].content)
    return render(
        request,
        "agreements/compare.html",
        {
            "commitment": commitment,
            "numbers": numbers,
            "old": versions.get(old),
            "new": versions.get(new),
            "diff": diff,
            "compare_url": reverse("agreements:compare", args=[commitment.pk]),
        },
    )
