"""What a signed project reports: funds in place (到位资金) and monthly progress (月度进度).

Figures that add up over time never go back by mistake: the funds in place are a sum of
entries, each more than zero unless it is a correction; the cumulative investment of a
month is not below the month before's, and a filed month's figures do not change, unless
the filing is a correction (更正) that names its reason. A correction is recorded on the
entry or report it makes; the earlier entries and reports stay as they were.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, raise_errors, require, status_error
from zhaoshang.core.validators import IMAGE_TYPES, validate_upload
from zhaoshang.projects import permissions
from zhaoshang.projects.choices import PRE_SIGNING, PRODUCING_STAGES, REPORTING_STAGES, Stage
from zhaoshang.projects.models import FundsEntry, MonthlyReport, MonthlyReportPhoto, Project

# The figures of a monthly report: changing one of a filed month is a correction.
REPORT_FIGURES = ("investment_this_month", "investment_cumulative", "funds_this_month")
# Reported once the project produces (投产): output and tax of the month, people employed.
PRODUCTION_FIGURES = ("output_this_month", "tax_this_month")
FILED_FIGURES = (*REPORT_FIGURES, *PRODUCTION_FIGURES, "jobs")
FUNDS_FIELDS = ("received_on", "amount", "origin", "use", "note")
CORRECTION_FIELDS = ("is_correction", "correction_reason")


def _wan(value) -> str:
    """An amount in 万元 as the pages show it (thousands separated, no trailing zeros)."""
    text = f"{Decimal(value):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _shown(value) -> str:
    """A filed figure as a message names it (an amount in 万元, a count, or a dash)."""
    if value is None:
        return "—"
    return _wan(value) if isinstance(value, Decimal) else str(value)


def month_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month (the month a report is about)."""
    return day.replace(day=1)


def _correction(data: Mapping) -> tuple[bool, str]:
    return bool(data.get("is_correction")), (data.get("correction_reason") or "").strip()


def correction_errors(data: Mapping) -> dict[str, list[str]]:
    """A correction is ticked and gives its reason, or neither."""
    marked, reason = _correction(data)
    errors: dict[str, list[str]] = {}
    if marked and not reason:
        errors["correction_reason"] = [
            _(
                "Give the reason for the correction (what was wrong, and where the figure comes from)."
            )
        ]
    if reason and not marked:
        errors["is_correction"] = [
            _("Tick “correction” to file a correction with this reason, or clear the reason.")
        ]
    return errors


# -- funds in place ------------------------------------------------------------------------


def funds_errors(project: Project, data: Mapping) -> dict[str, list[str]]:
    """Every problem of a funds entry in ``data`` (the fields present; the form's and the
    service's one check)."""
    errors = correction_errors(data)
    marked, _reason = _correction(data)
    amount, received_on = data.get("amount"), data.get("received_on")
    today = clock.today()
    if received_on and received_on > today:
        errors.setdefault("received_on", []).append(_("The date cannot be in the future."))
    if amount is None:
        return errors
    if amount == 0:
        errors.setdefault("amount", []).append(_("The amount cannot be zero."))
    elif amount < 0 and not marked:
        errors.setdefault("amount", []).append(
            _(
                "The amount must be more than zero: funds in place do not go down. To take "
                "back an amount recorded by mistake, tick “correction” and give the reason."
            )
        )
    elif amount < 0:
        first = month_start(today)
        if received_on and received_on < first:
            errors.setdefault("received_on", []).append(
                _(
                    "A correction is dated in the month it is made (from %(first)s on): the "
                    "months before keep the funds in place they reported."
                )
                % {"first": first.isoformat()}
            )
        recorded = FundsEntry.objects.filter(project=project).aggregate(t=Sum("amount"))["t"]
        recorded = recorded or Decimal("0")
        if recorded + amount < 0:
            errors.setdefault("amount", []).append(
                _(
                    "The correction (%(amount)s) is more than the funds in place recorded "
                    "(%(recorded)s, 10k yuan)."
                )
                % {"amount": _wan(amount), "recorded": _wan(recorded)}
            )
    return errors


@transaction.atomic
def record_funds(user, project: Project, data: Mapping) -> FundsEntry:
    """Record funds in place (到位资金), or correct them with a negative entry that names
    its reason (``is_correction``, ``correction_reason``)."""
    require(permissions.can_record_service(user, project))
    if project.stage in PRE_SIGNING or project.stage == Stage.TERMINATED:
        raise status_error(_("Funds in place are recorded for signed projects only."))
    marked, reason = _correction(data)
    entry = FundsEntry(
        project=project,
        recorded_by=user,
        is_correction=marked,
        correction_reason=reason if marked else "",
        **{k: v for k, v in data.items() if k in FUNDS_FIELDS},
    )
    errors = funds_errors(project, data)
    gather(errors, entry.full_clean, exclude=["project", "recorded_by"])  # rows in hand: no query
    raise_errors(errors)
    entry.save()
    log_event(
        user,
        "project.funds_corrected" if marked else "project.funds_recorded",
        project,
        summary=f"{entry.amount}" + (f" ({reason})" if marked else ""),
        amount=entry.amount,
        origin=entry.origin,
        use=entry.use,
        correction_reason=entry.correction_reason,
    )
    return entry


# -- monthly progress ------------------------------------------------------------------------


def _neighbours(project: Project, month: datetime.date):
    """The reports of the month before ``month`` (the latest earlier one), of ``month``
    itself and of the month after (the earliest later one): one query."""
    before = existing = after = None
    for report in MonthlyReport.objects.filter(project=project).order_by("month"):
        if report.month < month:
            before = report
        elif report.month == month:
            existing = report
        elif after is None:
            after = report
    return before, existing, after


def monthly_report_errors(
    project: Project, data: Mapping, neighbours=None, *, imported: bool = False
) -> dict[str, list[str]]:
    """Every problem of the monthly report in ``data`` (the fields present; the form's
    and the service's one check): amounts, the cumulative figure against the months
    around it, the figures of a month already filed, the correction and its reason.

    ``imported``: a month of a ledger brought in (补录), which is never a correction: it
    is not before the project's signing, not filed already, and its cumulative figure
    fits between the months around it."""
    errors = correction_errors(data)
    marked, _reason = _correction(data)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in (*REPORT_FIGURES, *PRODUCTION_FIGURES):
        value = data.get(field)
        if value is not None and value < 0:
            add(field, _("The amount cannot be negative."))
    if data.get("jobs") is not None and data["jobs"] < 0:
        add("jobs", _("The number of people cannot be negative."))
    if project.stage not in PRODUCING_STAGES:
        for field in PRODUCTION_FIGURES:
            if data.get(field):
                add(field, _("Output and tax are reported once the project is in production."))
    this, cumulative = data.get("investment_this_month"), data.get("investment_cumulative")
    if this is not None and cumulative is not None and cumulative < this:
        add(
            "investment_cumulative",
            _("The cumulative investment cannot be less than this month's."),
        )
    month = data.get("month")
    if month is None:
        return errors
    month = month_start(month)
    if month > month_start(clock.today()):
        add("month", _("A report cannot be filed for a future month."))
        return errors
    before, existing, after = neighbours or _neighbours(project, month)
    if imported:
        return _imported_month_errors(
            project, month, cumulative, neighbours=(before, existing, after), errors=errors
        )
    needs_correction: dict[str, list[str]] = {}
    if cumulative is not None and before and cumulative < before.investment_cumulative:
        needs_correction.setdefault("investment_cumulative", []).append(
            _(
                "The cumulative investment (%(value)s) is less than the %(month)s report's "
                "(%(before)s, 10k yuan): a cumulative figure does not go back. If the earlier "
                "figure was wrong, tick “correction” and give the reason."
            )
            % {
                "value": _wan(cumulative),
                "month": f"{before.month:%Y-%m}",
                "before": _wan(before.investment_cumulative),
            }
        )
    if cumulative is not None and after and cumulative > after.investment_cumulative:
        needs_correction.setdefault("investment_cumulative", []).append(
            _(
                "The cumulative investment (%(value)s) is more than the later %(month)s "
                "report's (%(after)s, 10k yuan), which would then go back. If this is a "
                "correction, tick “correction” and give the reason."
            )
            % {
                "value": _wan(cumulative),
                "month": f"{after.month:%Y-%m}",
                "after": _wan(after.investment_cumulative),
            }
        )
    if existing is not None:
        for field in FILED_FIGURES:
            value = data.get(field)
            if value is not None and value != getattr(existing, field):
                needs_correction.setdefault(field, []).append(
                    _(
                        "The %(month)s report was filed with %(old)s here; changing a filed "
                        "figure is a correction: tick “correction” and give the reason."
                    )
                    % {"month": f"{month:%Y-%m}", "old": _shown(getattr(existing, field))}
                )
    if not marked:
        for field, messages in needs_correction.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def _imported_month_errors(project: Project, month, cumulative, *, neighbours, errors):
    """The checks of an imported month against the project and the months filed."""
    before, existing, after = neighbours

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if project.signed_on and month < month_start(project.signed_on):
        add(
            "month",
            _("The project was signed on %(date)s: a month before it has no report.")
            % {"date": project.signed_on.isoformat()},
        )
    if existing is not None:
        add(
            "month",
            _(
                "The %(month)s report is filed already; an import does not change it "
                "(correct it on the project page)."
            )
            % {"month": f"{month:%Y-%m}"},
        )
    if cumulative is not None and before and cumulative < before.investment_cumulative:
        add(
            "investment_cumulative",
            _(
                "The cumulative investment (%(value)s) is less than the %(month)s report's "
                "(%(before)s, 10k yuan): a cumulative figure does not go back."
            )
            % {
                "value": _wan(cumulative),
                "month": f"{before.month:%Y-%m}",
                "before": _wan(before.investment_cumulative),
            },
        )
    if cumulative is not None and after and cumulative > after.investment_cumulative:
        add(
            "investment_cumulative",
            _(
                "The cumulative investment (%(value)s) is more than the later %(month)s "
                "report's (%(after)s, 10k yuan), which would then go back."
            )
            % {
                "value": _wan(cumulative),
                "month": f"{after.month:%Y-%m}",
                "after": _wan(after.investment_cumulative),
            },
        )
    return errors


def imported_submitted_at(month: datetime.date) -> datetime.datetime:
    """When an imported month counts as filed: on its due date (the ledger held it in
    time), or now if that is still to come. Who imported it, and when, the import batch
    and the event keep."""
    year, number = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    due = datetime.datetime.combine(
        month.replace(year=year, month=number, day=5), datetime.time(12)
    )
    due = timezone.make_aware(due, timezone.get_default_timezone())
    return min(due, clock.now())


def photo_errors(photos: Iterable) -> list[str]:
    """The problems of a monthly report's site photos (the form's and the service's one
    check)."""
    problems: list[str] = []
    for photo in photos:
        try:
            validate_upload(photo, IMAGE_TYPES)
        except ValidationError as exc:
            problems.extend(exc.messages)
    return problems


@transaction.atomic
def submit_monthly_report(
    user, project: Project, data: Mapping, photos: Iterable = (), *, imported: bool = False
) -> MonthlyReport:
    """File the monthly progress report of a signed project, or correct one.

    A cumulative investment below the month before's, or a change to the figures of a
    month already filed, is refused unless the filing is marked a correction
    (``is_correction``) with its reason (``correction_reason``); the report then keeps
    the reason and the cumulative figure it goes back from.

    ``imported``: a past month of the district's ledger brought in (补录) by ``user``: any
    month from the project's signing on, never one filed already nor a correction, filed
    as of its due date (``imported_submitted_at``); the event says it was imported."""
    require(permissions.can_report_progress(user, project))
    if imported:
        data = {k: v for k, v in data.items() if k not in CORRECTION_FIELDS}
    if project.stage not in REPORTING_STAGES:
        raise status_error(
            _("Monthly progress is reported for projects from “signed” to “at designed capacity”.")
        )
    month = data.get("month")
    neighbours = (None, None, None)
    if month is None:
        errors = {"month": [_("Choose the month reported on.")]}
        errors.update(monthly_report_errors(project, data))
    else:
        month = month_start(month)
        neighbours = _neighbours(project, month)
        errors = monthly_report_errors(
            project, {**data, "month": month}, neighbours, imported=imported
        )
    photos = list(photos)
    if problems := photo_errors(photos):
        errors.setdefault("photos", []).extend(problems)
    before, report, _after = neighbours
    created = report is None
    if created:
        report = MonthlyReport(project=project, month=month)
    marked, reason = _correction(data)
    previous = report.investment_cumulative if not created else None
    for key, value in data.items():
        if key != "month" and key not in CORRECTION_FIELDS:
            setattr(report, key, value)
    if marked:
        report.is_correction, report.correction_reason = True, reason
        report.cumulative_before = (
            previous if previous is not None else (before and before.investment_cumulative)
        )
    report.submitted_by = user
    report.submitted_at = imported_submitted_at(month) if imported else clock.now()
    # The project and the person are the rows in hand, and the report of that month was
    # looked up just above (the database keeps it one): no query to check them again.
    gather(errors, report.full_clean, exclude=["project", "submitted_by", "month"])
    raise_errors(errors)
    report.save()
    for photo in photos:
        MonthlyReportPhoto.objects.create(report=report, image=photo)
    event = "project.monthly_report_filed"
    if marked or not created:
        event = "project.monthly_report_corrected"
    if imported:
        event = "project.monthly_report_imported"
    log_event(
        user,
        event,
        project,
        summary=f"{month:%Y-%m}" + (f" ({reason})" if marked else ""),
        month=month,
        imported=imported,
        correction_reason=reason if marked else "",
        cumulative_before=report.cumulative_before if marked else None,
        investment_cumulative=report.investment_cumulative,
    )
    return report
