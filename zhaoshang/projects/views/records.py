"""Project tabs that keep records: the team, the document library, funds in place and
monthly progress."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Sum
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.actions import run_service
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects import permissions, services
from zhaoshang.projects.choices import REPORTING_STAGES, FundsOrigin, FundsUse
from zhaoshang.projects.forms import (
    DocumentUploadForm,
    FundsForm,
    MonthlyReportForm,
    TeamMemberForm,
)
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
    ProjectTeamMember,
)
from zhaoshang.projects.views.common import get_visible_project, project_context


def _team_page(request, project: Project, form, status=200):
    context = project_context(
        request, project, "team", form=form, paired=list(project.paired_departments.all())
    )
    return render(request, "projects/detail_team.html", context, status=status)


@login_required
def project_team(request, pk):
    project = get_visible_project(request, pk)
    return _team_page(request, project, TeamMemberForm(district=project.district))


@login_required
@require_POST
def team_add(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_manage_team(request.user, project):
        raise PermissionDenied
    form = TeamMemberForm(request.POST, district=project.district)
    if form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: services.assign_team_member(
                request.user, project, form.cleaned_data["role"], form.cleaned_data["user"]
            ),
            success=_("The team has been updated."),
        )
        if outcome.ok:
            return redirect("projects:team", pk=project.pk)
    return _team_page(request, project, form, status=400)


@login_required
@require_POST
def team_remove(request, pk, member_pk):
    project = get_visible_project(request, pk)
    membership = get_object_or_404(ProjectTeamMember, project=project, pk=member_pk)
    services.remove_team_member(request.user, membership)
    messages.success(request, _("The team has been updated."))
    return redirect("projects:team", pk=project.pk)


def _documents_page(request, project: Project, form, status=200):
    documents = (
        ProjectDocument.objects.filter(project=project)
        .select_related("material_type")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by", "confirmed_by"),
            )
        )
    )
    return render(
        request,
        "projects/detail_documents.html",
        project_context(request, project, "documents", documents=documents, form=form),
        status=status,
    )


@login_required
def project_documents(request, pk):
    project = get_visible_project(request, pk)
    # A link from the evidence owed (补录) names the material to upload.
    material = request.GET.get("material")
    initial = {"material_type": material} if material and material.isdigit() else {}
    return _documents_page(request, project, DocumentUploadForm(initial=initial))


@login_required
@require_POST
def document_upload(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_service(
            request,
            form,
            lambda: services.upload_document(
                request.user, project, data["material_type"], data["file"], data["note"]
            ),
        )
        if outcome.ok:
            version = outcome.result
            messages.success(
                request,
                _("“%(material)s” version %(number)s has been uploaded.")
                % {"material": version.document.material_type.label, "number": version.number},
            )
            return redirect("projects:documents", pk=project.pk)
    return _documents_page(request, project, form, status=400)


@login_required
@require_POST
def document_confirm(request, pk):
    """The staff confirm a document the enterprise uploaded (it then counts as evidence)."""
    project = get_visible_project(request, pk)
    if not permissions.can_record_service(request.user, project):
        raise PermissionDenied
    chosen = request.POST.get("version", "")
    if not chosen.isdigit():
        return HttpResponseBadRequest(_("Choose the document to confirm."))
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document__material_type"),
        document__project=project,
        pk=int(chosen),
    )
    outcome = run_service(request, None, lambda: services.confirm_document(request.user, version))
    if not outcome.ok:
        messages.error(request, " ".join(outcome.error.messages))
    else:
        messages.success(
            request,
            _("“%(material)s” version %(number)s has been confirmed: it counts as evidence.")
            % {"material": version.document.material_type.label, "number": version.number},
        )
    return redirect("projects:documents", pk=project.pk)


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
    form = FundsForm(project=project)
    if request.method == "POST":
        if not permissions.can_record_service(request.user, project):
            raise PermissionDenied
        form = FundsForm(request.POST, project=project)
        if form.is_valid():
            outcome = run_service(
                request,
                form,
                lambda: services.record_funds(request.user, project, form.cleaned_data),
                success=_("The funds in place have been recorded."),
            )
            if outcome.ok:
                return redirect("projects:funds", pk=project.pk)
        status = 400
    entries = FundsEntry.objects.filter(project=project).select_related("recorded_by")
    by_origin = list(entries.order_by().values("origin").annotate(total=Sum("amount")))
    by_use = list(entries.order_by().values("use").annotate(total=Sum("amount")))
    total = sum((row["total"] for row in by_origin), start=0)
    context = project_context(
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
    form = MonthlyReportForm(initial={"month": last_month}, project=project)
    if request.method == "POST":
        if not permissions.can_record_service(request.user, project):
            raise PermissionDenied
        form = MonthlyReportForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            outcome = run_service(
                request,
                form,
                lambda: services.submit_monthly_report(
                    request.user, project, form.cleaned_data, request.FILES.getlist("photos")
                ),
                success=_("The monthly report has been filed."),
            )
            if outcome.ok:
                return redirect("projects:progress", pk=project.pk)
        status = 400
    reports = paginate(
        request,
        MonthlyReport.objects.filter(project=project)
        .select_related("submitted_by")
        .prefetch_related("photos"),
        per_page=12,
    )
    context = project_context(
        request,
        project,
        "progress",
        reports=reports,
        form=form,
        reporting=project.stage in REPORTING_STAGES,
    )
    return render(request, "projects/detail_progress.html", context, status=status)
