"""What a signed project reports: funds in place (到位资金) and monthly progress (月度进度)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import require, status_error
from zhaoshang.core.validators import IMAGE_TYPES, validate_upload
from zhaoshang.projects import permissions
from zhaoshang.projects.choices import PRE_SIGNING, REPORTING_STAGES, Stage
from zhaoshang.projects.models import FundsEntry, MonthlyReport, MonthlyReportPhoto, Project


@transaction.atomic
def record_funds(user, project: Project, data: Mapping) -> FundsEntry:
    """Record funds in place (到位资金)."""
    require(permissions.can_record_service(user, project))
    if project.stage in PRE_SIGNING or project.stage == Stage.TERMINATED:
        raise status_error(_("Funds in place are recorded for signed projects only."))
    entry = FundsEntry(project=project, recorded_by=user, **data)
    errors = {}
    if entry.amount is not None and entry.amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if entry.received_on and entry.received_on > clock.today():
        errors["received_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    entry.full_clean(exclude=["project", "recorded_by"])  # the rows in hand: no query for them
    entry.save()
    log_event(
        user,
        "project.funds_recorded",
        project,
        summary=f"{entry.amount}",
        amount=entry.amount,
        origin=entry.origin,
        use=entry.use,
    )
    return entry


def month_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month (the month a report is about)."""
    return day.replace(day=1)


@transaction.atomic
def submit_monthly_report(
    user, project: Project, data: Mapping, photos: Iterable = ()
) -> MonthlyReport:
    """File (or correct) the monthly progress report of a signed project."""
    require(permissions.can_record_service(user, project))
    if project.stage not in REPORTING_STAGES:
        raise status_error(
            _("Monthly progress is reported for projects from “signed” to “at designed capacity”.")
        )
    month = data.get("month")
    errors = {}
    if month is None:
        errors["month"] = _("Choose the month reported on.")
    else:
        month = month_start(month)
        if month > month_start(clock.today()):
            errors["month"] = _("A report cannot be filed for a future month.")
    for field in ("investment_this_month", "investment_cumulative", "funds_this_month"):
        value = data.get(field)
        if value is not None and value < 0:
            errors[field] = _("The amount cannot be negative.")
    if (
        data.get("investment_this_month") is not None
        and data.get("investment_cumulative") is not None
        and data["investment_cumulative"] < data["investment_this_month"]
    ):
        errors["investment_cumulative"] = _(
            "The cumulative investment cannot be less than this month's."
        )
    photos = list(photos)
    for photo in photos:
        try:
            validate_upload(photo, IMAGE_TYPES)
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    values = {k: v for k, v in data.items() if k != "month"}
    report = MonthlyReport.objects.filter(project=project, month=month).first()
    created = report is None
    if created:
        report = MonthlyReport(project=project, month=month)
    for key, value in values.items():
        setattr(report, key, value)
    report.submitted_by = user
    report.submitted_at = clock.now()
    # The project and the person are the rows in hand, and the report of that month was
    # looked up just above (the database keeps it one): no query to check them again.
    report.full_clean(exclude=["project", "submitted_by"])
    report.save()
    for photo in photos:
        MonthlyReportPhoto.objects.create(report=report, image=photo)
    log_event(
        user,
        "project.monthly_report_filed" if created else "project.monthly_report_corrected",
        project,
        summary=f"{month:%Y-%m}",
        month=month,
    )
    return report
