"""Report pages (SPEC §12): the hub (the report kinds, their periods and issued versions),
each report on screen — live until issued, then its frozen snapshot — with the period
picker, the issue/reissue action and downloads; the progress of background jobs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.exports import download_disposition
from zhaoshang.core.replica import reading
from zhaoshang.core.views_helpers import paginate
from zhaoshang.org.models import District
from zhaoshang.reports import exports, permissions, services
from zhaoshang.reports.choices import (
    PERIOD_EXAMPLES,
    JobAction,
    JobStatus,
    Kind,
    default_period,
    parse_period,
)
from zhaoshang.reports.models import FORMATS, IssuedReport, ReportJob
from zhaoshang.reports.querysets import readable_kinds

SCREEN_DETAIL_ROWS = 1000
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _readable_or_403(user, kind: str) -> None:
    if kind not in Kind.values:
        raise Http404
    if not permissions.can_read(user, kind):
        raise PermissionDenied


def _district(request):
    """The district shown: the user's own; city users and superusers pick one."""
    user = request.user
    if not roles.sees_all_districts(user):
        if not user.district_id:
            raise PermissionDenied
        return user.district
    districts = District.objects.order_by("id")
    wanted = request.GET.get("district") or request.POST.get("district")
    if wanted and wanted.isdigit():
        district = districts.filter(pk=wanted).first()
        if district is not None:
            return district
    district = districts.first()
    if district is None:
        raise Http404
    return district


def _file_response(content: bytes, fmt: str, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = download_disposition(filename, fallback)
    return response


@login_required
def hub(request):
    user = request.user
    kinds = readable_kinds(user)
    if not kinds:
        raise PermissionDenied
    today = clock.today()
    cards = [
        {
            "kind": kind,
            "label": Kind(kind).label,
            "period": default_period(kind, today),
            "example": PERIOD_EXAMPLES[kind],
            "can_issue": permissions.can_issue(user, kind),
        }
        for kind in kinds
    ]
    issued = (
        IssuedReport.objects.visible_to(user)
        .select_related("issued_by", "district")
        .defer("figures")
        .order_by("-issued_at", "-id")
    )
    jobs = (
        ReportJob.objects.visible_to(user)
        .filter(requested_by=user)
        .defer("figures")
        .order_by("-requested_at", "-id")[:5]
    )
    return render(
        request,
        "reports/hub.html",
        {
            "cards": cards,
            "page": paginate(request, issued),
            "jobs": jobs,
            "show_district": roles.sees_all_districts(user),
        },
    )


def _period_from(request, kind):
    code = request.GET.get("period") or default_period(kind, clock.today())
    return code, parse_period(kind, code)


@login_required
def report(request, kind):
    user = request.user
    _readable_or_403(user, kind)
    district = _district(request)
    code, period = _period_from(request, kind)
    context = {
        "kind": kind,
        "kind_label": Kind(kind).label,
        "period_code": code,
        "example": PERIOD_EXAMPLES[kind],
        "district": district,
        "show_district": roles.sees_all_districts(user),
        "districts": District.objects.order_by("id") if roles.sees_all_districts(user) else [],
        "can_issue": permissions.can_issue(user, kind) and district.pk == user.district_id,
        "formats": FORMATS,
    }
    if period is None:
        context["period_error"] = _(
            "The period “%(code)s” is not valid for this report; write it like %(example)s."
        ) % {"code": code, "example": PERIOD_EXAMPLES[kind]}
        return render(request, "reports/report.html", context, status=400)
    versions = list(
        IssuedReport.objects.visible_to(user)
        .filter(district=district, kind=kind, period=period.code)
        .select_related("issued_by")
        .defer("figures")
        .order_by("-version")
    )
    context.update(period=period, versions=versions)
    live = request.GET.get("live") == "1" or not versions
    if not live:
        latest = IssuedReport.objects.get(pk=versions[0].pk)
        context.update(_figures_context(latest.figures), issued=latest)
        return render(request, "reports/report.html", context)
    context["live"] = True
    job_id = request.GET.get("job")
    if job_id and job_id.isdigit():
        job = ReportJob.objects.visible_to(user).filter(pk=job_id, requested_by=user).first()
        if job is not None and job.status == JobStatus.DONE and job.issued_id:
            return redirect(reverse("reports:issued", args=[job.issued_id]))  # issued: its page
        if job is not None and job.status == JobStatus.DONE and job.figures:
            context.update(_figures_context(job.figures), job=job)
            return render(request, "reports/report.html", context)
        if job is not None:
            context["job"] = job
            return render(request, "reports/report.html", context)
    projects = services.scoped_projects(user) if kind == Kind.MONTHLY else None
    if services.needs_background(kind, district, projects):
        context["background"] = True
        context["job"] = services.find_running_job(user, kind, period)
        return render(request, "reports/report.html", context)
    data = services.live_figures(user, kind, period, district)
    context.update(_figures_context(data))
    return render(request, "reports/report.html", context)


def _figures_context(data: dict) -> dict:
    sections = exports.rendered(data)
    truncated = False
    for section in sections:
        if section["detail"] and len(section["rows"]) > SCREEN_DETAIL_ROWS:
            section["rows"] = section["rows"][:SCREEN_DETAIL_ROWS]
            truncated = True
    return {
        "figures": data,
        "summary": exports.summary_items(data),
        "sections": sections,
        "truncated": truncated,
        "screen_rows": SCREEN_DETAIL_ROWS,
    }


def _report_url(kind, period_code, **extra) -> str:
    from urllib.parse import urlencode

    return (
        reverse("reports:report", args=[kind]) + "?" + urlencode({"period": period_code, **extra})
    )


@login_required
@require_POST
def issue(request, kind):
    user = request.user
    _readable_or_403(user, kind)
    if not permissions.can_issue(user, kind):
        raise PermissionDenied
    code = request.POST.get("period", "")
    try:
        period = services.period_or_error(kind, code)
    except ValidationError as exc:
        for message in exc.message_dict.get("period", exc.messages):
            messages.error(request, message)
        return render(
            request,
            "reports/report.html",
            {
                "kind": kind,
                "kind_label": Kind(kind).label,
                "period_code": code,
                "example": PERIOD_EXAMPLES[kind],
                "period_error": " ".join(exc.message_dict.get("period", exc.messages)),
                "formats": FORMATS,
            },
            status=400,
        )
    if services.needs_background(kind, user.district):
        job = services.start_job(user, kind, period, JobAction.ISSUE)
        messages.info(request, _("The report is being produced and issued in the background."))
        return redirect(_report_url(kind, period.code, job=job.pk, live=1))
    report_obj = services.issue_report(user, kind, period)
    messages.success(
        request,
        _("Issued as %(number)s, version %(version)d.")
        % {"number": report_obj.number, "version": report_obj.version},
    )
    return redirect(report_obj.get_absolute_url())


@login_required
@require_POST
def generate(request, kind):
    user = request.user
    _readable_or_403(user, kind)
    if roles.sees_all_districts(user) and not user.district_id:
        raise PermissionDenied  # background jobs belong to the requester's district
    code = request.POST.get("period", "")
    period = parse_period(kind, code)
    if period is None:
        messages.error(
            request,
            _("The period “%(code)s” is not valid for this report; write it like %(example)s.")
            % {"code": code, "example": PERIOD_EXAMPLES[kind]},
        )
        return redirect(reverse("reports:report", args=[kind]))
    job = services.find_running_job(user, kind, period) or services.start_job(user, kind, period)
    return redirect(_report_url(kind, period.code, job=job.pk, live=1))


@login_required
def issued(request, pk):
    report_obj = get_object_or_404(
        IssuedReport.objects.visible_to(request.user).select_related("issued_by", "district"),
        pk=pk,
    )
    versions = list(
        IssuedReport.objects.filter(
            district_id=report_obj.district_id, kind=report_obj.kind, period=report_obj.period
        )
        .select_related("issued_by")
        .defer("figures")
        .order_by("-version")
    )
    context = {
        "kind": report_obj.kind,
        "kind_label": report_obj.get_kind_display(),
        "period_code": report_obj.period,
        "period": report_obj.period_obj,
        "example": PERIOD_EXAMPLES[report_obj.kind],
        "district": report_obj.district,
        "issued": report_obj,
        "versions": versions,
        "can_issue": permissions.can_issue(request.user, report_obj.kind)
        and report_obj.district_id == request.user.district_id,
        "formats": FORMATS,
    }
    context.update(_figures_context(report_obj.figures))
    return render(request, "reports/report.html", context)


@login_required
def download(request, pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    report_obj = get_object_or_404(IssuedReport.objects.visible_to(request.user), pk=pk)
    field = getattr(report_obj, fmt)
    with field.open("rb") as handle:
        content = handle.read()
    return _file_response(
        content, fmt, report_obj.download_name(fmt), report_obj.download_fallback(fmt)
    )


@login_required
def live_download(request, kind, fmt):
    """The live figures as a file (not issued: no document number), read from the read
    replica when there is one (``core.replica``)."""
    if fmt not in FORMATS:
        raise Http404
    user = request.user
    _readable_or_403(user, kind)
    district = _district(request)
    code, period = _period_from(request, kind)
    if period is None:
        raise Http404
    with reading():  # the read replica, when there is one (core.replica)
        data = services.live_figures(user, kind, period, district)
        note = _live_file_note(user, kind, period, district)
    writer = {"xlsx": exports.to_xlsx, "docx": exports.to_docx, "pdf": exports.to_pdf}[fmt]
    return _file_response(
        writer(data), fmt, f"{data['title']}（{note}）.{fmt}", f"{kind}-{period.code}-live.{fmt}"
    )


def _live_file_note(user, kind, period, district) -> str:
    """What the live file's name says it is: not issued yet, or — once a version is
    issued — the live figures of today (never "draft": an issued report is no draft)."""
    issued = (
        IssuedReport.objects.visible_to(user)
        .filter(district=district, kind=kind, period=period.code)
        .exists()
    )
    if not issued:
        return pgettext("report file name", "not issued")
    return pgettext("report file name", "live figures of %(date)s") % {
        "date": clock.today().strftime("%Y%m%d")
    }


@login_required
def job(request, pk):
    """A job's progress (polled by htmx); when done, the page reloads with its figures."""
    job_obj = get_object_or_404(ReportJob.objects.visible_to(request.user).defer("figures"), pk=pk)
    if job_obj.status == JobStatus.DONE and request.headers.get("HX-Request"):
        response = HttpResponse("")
        if job_obj.issued_id:
            response["HX-Redirect"] = reverse("reports:issued", args=[job_obj.issued_id])
        else:
            response["HX-Redirect"] = _report_url(
                job_obj.kind, job_obj.period, job=job_obj.pk, live=1
            )
        return response
    return render(request, "reports/_job.html", {"job": job_obj})
