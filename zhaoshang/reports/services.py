"""Producing and issuing reports (SPEC §12).

- ``live_figures``: a report's figures now, for the screen;
- ``issue_report``: freeze a report — figures snapshot, document number, the three files —
  as the next version of that report (v1, v2 …; earlier versions stay);
- ``start_job`` / ``run_job``: the same in the background for large reports, with progress.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.models import Counter
from zhaoshang.core.services import require
from zhaoshang.projects.models import Project
from zhaoshang.reports import exports, figures, permissions
from zhaoshang.reports.choices import (
    NUMBER_PREFIX,
    PERIOD_EXAMPLES,
    JobAction,
    JobStatus,
    Kind,
    Period,
    parse_period,
)
from zhaoshang.reports.models import IssuedReport, ReportJob
from zhaoshang.reports.querysets import FULL_READERS


def period_or_error(kind: str, code: str) -> Period:
    """The period, or a ValidationError naming the field and the expected form."""
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Unknown report: %(kind)s.") % {"kind": kind}]})
    period = parse_period(kind, code)
    if period is None:
        raise ValidationError(
            {
                "period": [
                    _(
                        "The period “%(code)s” is not valid for this report; write it like %(example)s."
                    )
                    % {"code": code, "example": PERIOD_EXAMPLES[kind]}
                ]
            }
        )
    return period


def scoped_projects(user):
    """The projects a user's live monthly summary covers (a park committee: its parks)."""
    if roles.roles_of(user) & (FULL_READERS | {roles.Role.CITY}) or user.is_superuser:
        return None
    return Project.objects.visible_to(user)


def inline_limit() -> int:
    return int(getattr(settings, "REPORTS_INLINE_MAX_PROJECTS", 500))


def needs_background(kind: str, district, projects=None) -> bool:
    """Large monthly summaries (more active projects than ``REPORTS_INLINE_MAX_PROJECTS``)
    are produced in the background; the bulletin and the assessment are per department and
    always small."""
    if kind != Kind.MONTHLY:
        return False
    return figures.active_projects(district, projects).count() > inline_limit()


def live_figures(user, kind: str, period: Period, district, progress=figures._noop) -> dict:
    require(permissions.can_read(user, kind))
    projects = scoped_projects(user) if kind == Kind.MONTHLY else None
    return figures.build(kind, period, district, projects=projects, progress=progress)


def next_number(district, kind: str, year: int | None = None) -> str:
    """The next document number of the issuing office, e.g. 招商办〔2026〕12号."""
    year = year or clock.today().year
    prefix = NUMBER_PREFIX[kind]
    n = Counter.next_value(district, f"report-no-{prefix}-{year}")
    return f"{prefix}〔{year}〕{n}号"


def issue_report(
    user, kind: str, period: Period, district=None, data: dict | None = None, at=None
) -> IssuedReport:
    """Issue (or reissue) the report: a new frozen version with its figures and files.

    ``data`` are figures already produced (by a background job); else they are built now.
    ``at`` is the moment of issue (now; loaders of past data pass the real moment).
    Only the kind's issuers of the district may issue (``reports.permissions``)."""
    district = district or user.district
    require(
        permissions.can_issue(user, kind) and (user.is_superuser or district.pk == user.district_id)
    )
    if data is None:
        data = figures.build(kind, period, district)
    with transaction.atomic():
        at = at or clock.now()
        # Taking the number locks the office's counter row until the commit: two people
        # issuing at once are served one after the other, so versions never collide.
        number = next_number(district, kind, timezone.localtime(at).year)
        last = IssuedReport.objects.filter(
            district=district, kind=kind, period=period.code
        ).aggregate(v=Max("version"))["v"]
        version = (last or 0) + 1
        data = dict(data, number=number, version=version)
        base = f"{kind}-{period.code}-v{version}"
        report = IssuedReport(
            district=district,
            kind=kind,
            period=period.code,
            version=version,
            number=data["number"],
            title=data["title"],
            issued_by=user,
            issued_at=at,
            figures=data,
            project_count=data.get("project_count") or 0,
        )
        report.xlsx = ContentFile(exports.to_xlsx(data), name=f"{base}.xlsx")
        report.docx = ContentFile(exports.to_docx(data), name=f"{base}.docx")
        report.pdf = ContentFile(exports.to_pdf(data), name=f"{base}.pdf")
        report.save()
        log_event(
            user,
            "report.reissued" if version > 1 else "report.issued",
            report,
            occurred_at=at,
            summary=f"{report.title} {report.number} v{version}",
            kind=kind,
            period=period.code,
            version=version,
        )
    return report


def start_job(user, kind: str, period: Period, action: str = JobAction.PREVIEW) -> ReportJob:
    """Queue a report in the background; the page polls the job's progress."""
    require(permissions.can_read(user, kind))
    require(action != JobAction.ISSUE or permissions.can_issue(user, kind))
    job = ReportJob.objects.create(
        district=user.district,
        kind=kind,
        period=period.code,
        action=action,
        requested_by=user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from zhaoshang.reports.tasks import generate_report

    try:
        generate_report.enqueue(job_id)
    except Exception:  # the broker being down must not break the request; the job says so
        logging.getLogger(__name__).warning("could not enqueue report job", exc_info=True)
        ReportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error="could not be queued"
        )


def find_running_job(user, kind: str, period: Period, action: str = JobAction.PREVIEW):
    """The user's unfinished job for this report, to poll instead of starting another."""
    return (
        ReportJob.objects.filter(
            requested_by=user,
            kind=kind,
            period=period.code,
            action=action,
            status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        )
        .order_by("-id")
        .first()
    )


def run_job(job_id: int) -> ReportJob:
    """Produce the job's report, writing its progress (0–100) as it goes. Safe to run twice:
    a finished job is left as it is."""
    job = ReportJob.objects.select_related("district", "requested_by").get(pk=job_id)
    if job.finished:
        return job
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=0)
    last = [0]

    def progress(percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent > last[0]:
            last[0] = percent
            ReportJob.objects.filter(pk=job.pk).update(progress=percent)

    try:
        with translation.override(job.language):
            period = Period(job.kind, job.period)
            projects = scoped_projects(job.requested_by) if job.kind == Kind.MONTHLY else None
            data = figures.build(
                job.kind, period, job.district, projects=projects, progress=progress
            )
            issued = None
            if job.action == JobAction.ISSUE:
                issued = issue_report(job.requested_by, job.kind, period, job.district, data)
                data = issued.figures
    except Exception as exc:  # recorded on the job for the page; the worker logs it too
        ReportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=clock.now()
        )
        raise
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        figures=data,
        issued=issued,
        finished_at=clock.now(),
    )
    job.refresh_from_db()
    return job
