"""Reporting (填报) in the service hall: the monthly progress report of each project — the
month due and its status, the form (the staff's form and the same service: the same
checks), the history — and the documents the enterprise uploads into the project's
library, which the staff confirm before they count as stage evidence.

Every record is looked up through the contact's own enterprise: another's is a 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.actions import run_service
from zhaoshang.core.views_helpers import paginate
from zhaoshang.portal import reporting
from zhaoshang.portal.access import own_projects, portal_view
from zhaoshang.projects import services
from zhaoshang.projects.choices import PRODUCING_STAGES, REPORTING_STAGES
from zhaoshang.projects.forms import DocumentUploadForm, MonthlyReportForm
from zhaoshang.projects.models import DocumentVersion, MonthlyReport, MonthlyReportPhoto
from zhaoshang.projects.services import progress


def _project(request, pk):
    return get_object_or_404(own_projects(request.user), pk=pk)


def own_reports(user):
    """The monthly reports of the contact's enterprise's projects."""
    return MonthlyReport.objects.filter(project__enterprise_id=user.enterprise_id)


def own_uploads(user):
    """The document versions the contact's enterprise uploaded into its projects' library."""
    return DocumentVersion.objects.filter(
        document__project__enterprise_id=user.enterprise_id,
        uploaded_by__enterprise_id=user.enterprise_id,
    )


@portal_view
def reports(request):
    """The reporting home: each project's report of the month due now and its status."""
    projects = (
        own_projects(request.user)
        .annotate(report_count=Count("monthly_reports"), last_month=Max("monthly_reports__month"))
        .order_by("-id")
    )
    rows = reporting.month_statuses(projects)
    return render(
        request,
        "portal/reports/home.html",
        {"rows": rows, "today": clock.today(), "days_before": reporting.REMINDER_DAYS_BEFORE},
    )


@portal_view
def history(request, pk):
    """A project's monthly reports, newest first, with their figures."""
    project = _project(request, pk)
    reports = paginate(
        request,
        MonthlyReport.objects.filter(project=project)
        .select_related("submitted_by")
        .prefetch_related("photos"),
        per_page=12,
    )
    (row,) = reporting.month_statuses([project])
    return render(
        request,
        "portal/reports/history.html",
        {
            "project": project,
            "reports": reports,
            "row": row,
            "funds": reporting.funds_by_origin(project),
            "producing": project.stage in PRODUCING_STAGES,
        },
    )


@portal_view
def report(request, pk):
    """One filed report, read-only (a change is a correction: a new filing with a reason)."""
    item = get_object_or_404(
        own_reports(request.user).select_related("project", "submitted_by"), pk=pk
    )
    return render(
        request,
        "portal/reports/detail.html",
        {
            "report": item,
            "project": item.project,
            "photos": list(item.photos.all()),
            "producing": item.project.stage in PRODUCING_STAGES,
            "correct_url": reporting.new_report_url(item.project_id, item.month) + "?correct=1",
        },
    )


def _month(year: int, month: int) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError:
        raise Http404 from None


def _initial(month, existing, correcting: bool) -> dict:
    """A new report starts from its month; a correction from the figures as filed."""
    initial = {"month": month}
    if existing is not None and correcting:
        for name in (*progress.FILED_FIGURES, "image_progress", "problems"):
            initial[name] = getattr(existing, name)
        initial["is_correction"] = True
    return initial


def _report_form(project, month, *args, **kwargs) -> MonthlyReportForm:
    form = MonthlyReportForm(*args, project=project, **kwargs)
    # The month is the page's (its URL): the contact reports the month it was asked for.
    form.fields["month"].disabled = True
    form.fields["month"].initial = month
    return form


@portal_view
def report_new(request, pk, year, month):
    """File the report of ``month`` for a project (the staff form and service), or, with
    ``?correct=1`` on a month already filed, a correction of it."""
    project = _project(request, pk)
    month = _month(year, month)
    existing = MonthlyReport.objects.filter(project=project, month=month).first()
    correcting = existing is not None and (
        request.GET.get("correct") == "1" or request.POST.get("is_correction")
    )
    if existing is not None and not correcting and request.method != "POST":
        return redirect("portal:report", pk=existing.pk)
    status = 200
    form = _report_form(project, month, initial=_initial(month, existing, bool(correcting)))
    if request.method == "POST":
        form = _report_form(project, month, request.POST, request.FILES)
        if form.is_valid():
            outcome = run_service(
                request,
                form,
                lambda: services.submit_monthly_report(
                    request.user, project, form.cleaned_data, request.FILES.getlist("photos")
                ),
                success=_("The monthly report for %(month)s has been submitted.")
                % {"month": f"{month:%Y-%m}"},
            )
            if outcome.ok:
                return redirect("portal:report_history", pk=project.pk)
        status = 400
    return render(
        request,
        "portal/reports/form.html",
        {
            "project": project,
            "month": month,
            "form": form,
            "existing": existing,
            "correcting": correcting,
            "reporting": project.stage in REPORTING_STAGES,
            "due_on": reporting.due_on(month),
            "funds": reporting.funds_by_origin(project),
        },
        status=status,
    )


@portal_view
def report_photo(request, pk, photo_pk):
    photo = get_object_or_404(
        MonthlyReportPhoto.objects.filter(
            report__project__enterprise_id=request.user.enterprise_id
        ),
        report_id=pk,
        pk=photo_pk,
    )
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, filename=photo.image.name.rsplit("/", 1)[-1])


# -- documents ---------------------------------------------------------------------------


def _documents_page(request, project, form, status=200):
    uploads = (
        own_uploads(request.user)
        .filter(document__project=project)
        .select_related("document__material_type", "uploaded_by", "confirmed_by")
        .order_by("-uploaded_at", "-id")
    )
    return render(
        request,
        "portal/reports/documents.html",
        {"project": project, "uploads": uploads, "form": form},
        status=status,
    )


@portal_view
def documents(request, pk):
    """The documents the enterprise uploaded into a project's library, with their status."""
    return _documents_page(request, _project(request, pk), DocumentUploadForm())


@portal_view
@require_POST
def document_upload(request, pk):
    project = _project(request, pk)
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
                _(
                    "“%(material)s” version %(number)s has been uploaded; the project's "
                    "service team will confirm it."
                )
                % {"material": version.document.material_type.label, "number": version.number},
            )
            return redirect("portal:documents", pk=project.pk)
    return _documents_page(request, project, form, status=400)


@portal_view
def document_download(request, pk):
    version = get_object_or_404(own_uploads(request.user), pk=pk)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=version.original_name)
