"""Project pages: list, detail tabs, create/edit, stage and condition changes, team,
documents, funds in place and monthly progress."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.core.history import history_rows
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import import_page, import_report, import_template, paginate
from zhaoshang.projects import permissions, services
from zhaoshang.projects.choices import (
    EXIT_STAGES,
    REPORTING_STAGES,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Stage,
)
from zhaoshang.projects.forms import (
    ConditionForm,
    DocumentUploadForm,
    FundsForm,
    MonthlyReportForm,
    ProjectFilterForm,
    ProjectForm,
    StageChangeForm,
    TeamMemberForm,
)
from zhaoshang.projects.imports import ProjectImporter
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MaterialType,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
    ProjectTeamMember,
    StageEvent,
)

SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name_pinyin",
    "-name": "-name_pinyin",
    "investment": "total_investment",
    "-investment": "-total_investment",
    "stage": "stage_order",
    "-stage": "-stage_order",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "signed": "signed_on",
    "-signed": "-signed_on",
}


def _stage_order_expression():
    from django.db.models import Case, IntegerField, Value, When

    return Case(
        *[When(stage=s, then=Value(i)) for i, s in enumerate([*STAGE_ORDER, *EXIT_STAGES])],
        output_field=IntegerField(),
    )


def filtered_projects(request):
    """The visible projects filtered as the list's query string says; shared by list and export."""
    form = ProjectFilterForm(request.GET or None, user=request.user)
    qs = Project.objects.visible_to(request.user).with_list_data()
    if form.is_valid():
        data = form.cleaned_data
        qs = qs.search(data.get("q"))
        for name in ("stage", "park", "industry", "level", "condition", "working_group", "kind"):
            value = data.get(name)
            if value:
                qs = qs.filter(**{name: value})
    sort = request.GET.get("sort") or "-updated"
    qs = qs.annotate(stage_order=_stage_order_expression()).order_by(
        SORTS.get(sort, "-updated_at"), "-id"
    )
    return form, qs, sort


@login_required
def project_list(request):
    form, qs, sort = filtered_projects(request)
    show_district = roles.sees_all_districts(request.user)
    if show_district:
        qs = qs.select_related("district")
    page = paginate(request, qs)
    totals = qs.order_by().aggregate(investment=Sum("total_investment"))
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "count": page.paginator.count,
            "show_district": show_district,
            "totals": totals,
            "can_create": permissions.can_edit_registry(request.user, request.user.district_id),
        },
    )


@login_required
def project_export(request):
    _form, qs, _sort = filtered_projects(request)
    columns = [
        (_("Code"), lambda p: p.code),
        (_("Name"), lambda p: p.name),
        (_("Kind"), lambda p: p.get_kind_display()),
        (_("Enterprise"), lambda p: p.enterprise.name if p.enterprise else ""),
        (_("Credit code"), lambda p: p.enterprise.credit_code if p.enterprise else ""),
        (_("Industry"), lambda p: str(p.industry or "")),
        (_("Park"), lambda p: str(p.park)),
        (_("Level"), lambda p: p.get_level_display()),
        (_("Source"), lambda p: p.get_source_display()),
        (_("Stage"), lambda p: p.get_stage_display()),
        (_("Condition"), lambda p: p.get_condition_display()),
        (_("Total investment (10k yuan)"), lambda p: p.total_investment),
        (_("Fixed-asset investment (10k yuan)"), lambda p: p.fixed_asset_investment),
        (_("Funds in place (10k yuan)"), lambda p: p.funds_in_place),
        (_("Land area (mu)"), lambda p: p.land_area),
        (_("Investment intensity (10k yuan/mu)"), lambda p: p.investment_intensity),
        (_("Signed on"), lambda p: p.signed_on),
        (_("Started on"), lambda p: p.started_on),
        (_("In production on"), lambda p: p.production_on),
        (_("Working group"), lambda p: str(p.working_group or "")),
        (_("Green channel"), lambda p: _("Yes") if p.is_green_channel else _("No")),
    ]
    if request.user.is_superuser or not request.user.district_id:
        columns.insert(0, (_("District"), lambda p: str(p.district)))
        qs = qs.select_related("district")
    return xlsx_response("projects", _("Projects"), columns, qs.iterator(chunk_size=500))


def get_visible_project(request, pk) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "enterprise", "industry", "park__zone", "working_group", "designated_leader", "district"
        ),
        pk=pk,
    )


def _project_context(request, project: Project, tab: str, **extra) -> dict:
    user = request.user
    team = list(project.team_members.select_related("user__department"))
    project._team_user_ids = {m.user_id for m in team}
    steps = []
    for s in STAGE_ORDER:
        i = STAGE_INDEX[s]
        state = "done" if i < project.stage_index else ("current" if s == project.stage else "")
        steps.append((Stage(s).label, state))
    context = {
        "project": project,
        "tab": tab,
        "team": team,
        "steps": steps,
        "can_edit": permissions.can_edit_registry(user, project.district_id),
        "can_record": permissions.can_record_service(user, project),
        "can_manage_team": permissions.can_manage_team(user, project),
        "is_exit": project.stage in EXIT_STAGES,
    }
    context.update(extra)
    return context


@login_required
def project_detail(request, pk):
    project = get_visible_project(request, pk)
    funds_total = project.funds.aggregate(total=Sum("amount"))["total"]
    paired = list(project.paired_departments.all())
    latest_report = project.monthly_reports.first()
    return render(
        request,
        "projects/detail_overview.html",
        _project_context(
            request,
            project,
            "overview",
            funds_total=funds_total,
            paired=paired,
            latest_report=latest_report,
        ),
    )


@login_required
def project_team(request, pk):
    project = get_visible_project(request, pk)
    form = TeamMemberForm(district=project.district)
    context = _project_context(
        request, project, "team", form=form, paired=list(project.paired_departments.all())
    )
    return render(request, "projects/detail_team.html", context)


@login_required
@require_POST
def team_add(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_manage_team(request.user, project):
        raise PermissionDenied
    form = TeamMemberForm(request.POST, district=project.district)
    if form.is_valid():
        try:
            services.assign_team_member(
                request.user, project, form.cleaned_data["role"], form.cleaned_data["user"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The team has been updated."))
            return redirect("projects:team", pk=project.pk)
    context = _project_context(
        request, project, "team", form=form, paired=list(project.paired_departments.all())
    )
    return render(request, "projects/detail_team.html", context, status=400)


@login_required
@require_POST
def team_remove(request, pk, member_pk):
    project = get_visible_project(request, pk)
    membership = get_object_or_404(ProjectTeamMember, project=project, pk=member_pk)
    services.remove_team_member(request.user, membership)
    messages.success(request, _("The team has been updated."))
    return redirect("projects:team", pk=project.pk)


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
        _project_context(request, project, "timeline", events=events),
    )


def _evidence_types(project: Project, to_stage: str | None) -> list[MaterialType]:
    codes = STAGE_EVIDENCE.get(to_stage, ()) if to_stage else ()
    return list(MaterialType.objects.filter(code__in=codes))


@login_required
def stage_change(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    default_next = (
        STAGE_ORDER[project.stage_index + 1]
        if 0 <= project.stage_index < len(STAGE_ORDER) - 1
        else None
    )
    to_stage = request.POST.get("to_stage") or request.GET.get("to") or default_next
    if to_stage not in Stage.values:
        to_stage = default_next
    types = _evidence_types(project, to_stage)
    library = {
        d.material_type_id: d
        for d in ProjectDocument.objects.filter(
            project=project, material_type__in=types
        ).prefetch_related("versions")
    }
    status = 200
    if request.method == "POST":
        form = StageChangeForm(request.POST, request.FILES, project=project, evidence_types=types)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_stage(
                    request.user,
                    project,
                    data["to_stage"],
                    data["occurred_on"],
                    reason=data["reason"],
                    evidence_files=form.evidence_files(),
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The project is now “%(stage)s”.") % {"stage": Stage(data["to_stage"]).label},
                )
                return redirect("projects:timeline", pk=project.pk)
        status = 400
    else:
        form = StageChangeForm(
            initial={"to_stage": to_stage, "occurred_on": clock.today()},
            project=project,
            evidence_types=types,
        )
    evidence = [(m, form[f"evidence_{m.code}"], library.get(m.pk)) for m in types]
    stage_options = []
    for value, label in form.fields["to_stage"].choices:
        if isinstance(label, list | tuple):
            stage_options.extend(label)
        else:
            stage_options.append((value, label))
    context = _project_context(
        request,
        project,
        "timeline",
        form=form,
        evidence=evidence,
        to_stage=to_stage,
        stage_options=stage_options,
        to_stage_label=Stage(to_stage).label if to_stage else "",
    )
    return render(request, "projects/stage_change.html", context, status=status)


@login_required
def condition_change(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ConditionForm(request.POST)
        if form.is_valid():
            try:
                services.set_condition(
                    request.user,
                    project,
                    form.cleaned_data["condition"],
                    form.cleaned_data["condition_reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The condition has been saved."))
                return redirect("projects:detail", pk=project.pk)
        status = 400
    else:
        form = ConditionForm(
            initial={
                "condition": project.condition,
                "condition_reason": project.condition_reason,
                "version": project.version,
            }
        )
    return render(
        request,
        "projects/condition_form.html",
        _project_context(request, project, "overview", form=form),
        status=status,
    )


@login_required
def project_documents(request, pk):
    project = get_visible_project(request, pk)
    documents = (
        ProjectDocument.objects.filter(project=project)
        .select_related("material_type")
        .prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
        )
    )
    form = DocumentUploadForm()
    return render(
        request,
        "projects/detail_documents.html",
        _project_context(request, project, "documents", documents=documents, form=form),
    )


@login_required
@require_POST
def document_upload(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.upload_document(
                request.user,
                project,
                form.cleaned_data["material_type"],
                form.cleaned_data["file"],
                form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("“%(material)s” version %(number)s has been uploaded.")
                % {"material": version.document.material_type.label, "number": version.number},
            )
            return redirect("projects:documents", pk=project.pk)
    documents = (
        ProjectDocument.objects.filter(project=project)
        .select_related("material_type")
        .prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
        )
    )
    return render(
        request,
        "projects/detail_documents.html",
        _project_context(request, project, "documents", documents=documents, form=form),
        status=400,
    )


@login_required
def document_download(request, pk, version_pk):
    project = get_visible_project(request, pk)
    version = get_object_or_404(DocumentVersion, pk=version_pk, document__project=project)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=version.original_name)


@login_required
def photo_download(request, pk, photo_pk):
    project = get_visible_project(request, pk)
    photo = get_object_or_404(MonthlyReportPhoto, pk=photo_pk, report__project=project)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, filename=photo.image.name.rsplit("/", 1)[-1])


@login_required
def project_funds(request, pk):
    project = get_visible_project(request, pk)
    status = 200
    form = FundsForm()
    if request.method == "POST":
        if not permissions.can_record_service(request.user, project):
            raise PermissionDenied
        form = FundsForm(request.POST)
        if form.is_valid():
            try:
                services.record_funds(request.user, project, form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The funds in place have been recorded."))
                return redirect("projects:funds", pk=project.pk)
        status = 400
    entries = FundsEntry.objects.filter(project=project).select_related("recorded_by")
    by_origin = list(entries.order_by().values("origin").annotate(total=Sum("amount")))
    by_use = list(entries.order_by().values("use").annotate(total=Sum("amount")))
    total = sum((row["total"] for row in by_origin), start=0)
    from zhaoshang.projects.choices import FundsOrigin, FundsUse

    context = _project_context(
        request,
        project,
        "funds",
        entries=entries,
        form=form,
        total=total,
        rate=(total / project.total_investment) if project.total_investment else None,
        by_origin=[(FundsOrigin(r["origin"]).label, r["total"]) for r in by_origin],
        by_use=[(FundsUse(r["use"]).label, r["total"]) for r in by_use],
    )
    return render(request, "projects/detail_funds.html", context, status=status)


@login_required
def project_progress(request, pk):
    project = get_visible_project(request, pk)
    status = 200
    last_month = (clock.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    form = MonthlyReportForm(initial={"month": last_month})
    if request.method == "POST":
        if not permissions.can_record_service(request.user, project):
            raise PermissionDenied
        form = MonthlyReportForm(request.POST)
        if form.is_valid():
            try:
                services.submit_monthly_report(
                    request.user, project, form.cleaned_data, request.FILES.getlist("photos")
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The monthly report has been filed."))
                return redirect("projects:progress", pk=project.pk)
        status = 400
    reports = paginate(
        request,
        MonthlyReport.objects.filter(project=project)
        .select_related("submitted_by")
        .prefetch_related("photos"),
        per_page=12,
    )
    context = _project_context(
        request,
        project,
        "progress",
        reports=reports,
        form=form,
        reporting=project.stage in REPORTING_STAGES,
    )
    return render(request, "projects/detail_progress.html", context, status=status)


@login_required
def project_history(request, pk):
    project = get_visible_project(request, pk)
    rows = history_rows(project.history.all(), Project, subject=_("Project"))
    rows += history_rows(
        ProjectTeamMember.history.filter(project_id=project.pk),
        ProjectTeamMember,
        subject=_("Team"),
    )
    rows += history_rows(
        FundsEntry.history.filter(project_id=project.pk), FundsEntry, subject=_("Funds in place")
    )
    rows += history_rows(
        MonthlyReport.history.filter(project_id=project.pk),
        MonthlyReport,
        subject=_("Monthly report"),
    )
    rows.sort(key=lambda r: r.when, reverse=True)
    events = DomainEvent.objects.for_object(project).select_related("actor")[:100]
    return render(
        request,
        "projects/detail_history.html",
        _project_context(request, project, "history", rows=rows[:200], events=events),
    )


def _form_page(request, form, project=None, status=200):
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project},
        status=status,
    )


@login_required
def project_create(request):
    user = request.user
    if not permissions.can_edit_registry(user, user.district_id):
        raise PermissionDenied
    district = user.district
    if request.method == "POST":
        form = ProjectForm(request.POST, district=district)
        if form.is_valid():
            data = {
                k: v
                for k, v in form.cleaned_data.items()
                if k not in ("paired_departments", "version")
            }
            try:
                project = services.create_project(
                    user, district, data, form.cleaned_data["paired_departments"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Project %(code)s has been registered.") % {"code": project.code}
                )
                return redirect(project)
        return _form_page(request, form, status=400)
    return _form_page(request, ProjectForm(district=district))


@login_required
def project_edit(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_edit_registry(request.user, project.district_id):
        raise PermissionDenied
    if request.method == "POST":
        form = ProjectForm(
            request.POST, instance=Project.objects.get(pk=project.pk), district=project.district
        )
        if form.is_valid():
            data = {
                k: v
                for k, v in form.cleaned_data.items()
                if k not in ("paired_departments", "version")
            }
            try:
                services.update_project(
                    request.user,
                    project,
                    data,
                    expected_version=form.cleaned_data.get("version") or project.version,
                    paired_departments=form.cleaned_data["paired_departments"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The project has been saved."))
                return redirect(project)
        return _form_page(request, form, project, status=400)
    return _form_page(request, ProjectForm(instance=project, district=project.district), project)


# --- Excel import (SPEC §16) -----------------------------------------------------------------


@login_required
def project_import(request):
    return import_page(
        request,
        ProjectImporter,
        namespace="projects",
        title=_("Import projects"),
        list_title=_("Projects"),
    )


@login_required
def project_import_template(request):
    return import_template(request, ProjectImporter)


@login_required
def project_import_report(request):
    return import_report(request, ProjectImporter, namespace="projects")
