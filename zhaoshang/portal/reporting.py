"""The enterprise's monthly report as its service hall shows it: which month is owed, its
status (due, overdue, submitted, submitted late), and the reminder before the due day.

A month's report is due on the 5th of the month after (``MonthlyReport.due_on``); the
checks and the filing are the projects app's (``projects.services.progress``), the same
for a contact as for the staff."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_tasks import task

from zhaoshang.core import clock, roles
from zhaoshang.core.querysets import in_districts
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import notify_many
from zhaoshang.portal.deadlines import month_start, previous_month
from zhaoshang.projects.choices import REPORTING_STAGES, FundsOrigin
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project

# How many days before the due day (the 5th) a contact is reminded of a report not filed.
REMINDER_DAYS_BEFORE = getattr(settings, "MONTHLY_REPORT_REMINDER_DAYS", 3)
REMINDER_VERB = "monthly_report.reminder"

STATUS_LABELS = {
    "due": pgettext_lazy("monthly report", "Due"),
    "overdue": pgettext_lazy("monthly report", "Overdue"),
    "submitted": pgettext_lazy("monthly report", "Submitted"),
    "late": pgettext_lazy("monthly report", "Submitted late"),
}
STATUS_BADGES = {
    "due": "text-bg-warning",
    "overdue": "text-bg-danger",
    "submitted": "text-bg-success",
    "late": "text-bg-secondary",
}


def due_on(month: datetime.date) -> datetime.date:
    """The 5th of the month after ``month`` (``MonthlyReport.due_on``)."""
    return MonthlyReport(month=month).due_on


def new_report_url(project_id: int, month: datetime.date) -> str:
    return reverse("portal:report_new", args=[project_id, month.year, month.month])


@dataclass
class MonthStatus:
    """The report a project owes or has filed for the month due now."""

    project: Project
    month: datetime.date | None  # None: the project does not report (not signed, ended)
    due_on: datetime.date | None = None
    report: MonthlyReport | None = None
    today: datetime.date | None = None  # the day the status is read on (default: today)

    @property
    def status(self) -> str:
        if self.month is None:
            return ""
        if self.report is not None:
            return "late" if self.report.is_late else "submitted"
        return "overdue" if (self.today or clock.today()) > self.due_on else "due"

    @property
    def label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "")

    @property
    def new_url(self) -> str:
        return new_report_url(self.project.pk, self.month) if self.month else ""


def owed_month(project: Project, today: datetime.date) -> datetime.date | None:
    """The month whose report is due now: last month's (due on the 5th of this month),
    or this month's for a project signed this month; None for a project not reporting."""
    if project.stage not in REPORTING_STAGES:
        return None
    this = month_start(today)
    if project.signed_on is not None and project.signed_on >= this:
        return this
    return previous_month(today)


def month_statuses(projects, today: datetime.date | None = None) -> list[MonthStatus]:
    """Each project's status for the month due now (one query for all the reports)."""
    today = today or clock.today()
    rows = [MonthStatus(p, owed_month(p, today), today=today) for p in projects]
    wanted = {(r.project.pk, r.month) for r in rows if r.month}
    if wanted:
        months = {m for _p, m in wanted}
        filed = MonthlyReport.objects.filter(
            project_id__in={p for p, _m in wanted}, month__in=months
        )
        found = {(r.project_id, r.month): r for r in filed}
        for row in rows:
            if row.month:
                row.due_on = due_on(row.month)
                row.report = found.get((row.project.pk, row.month))
    return rows


def funds_by_origin(project: Project) -> list[tuple[str, object]]:
    """The project's funds in place by origin (到位资金按来源), as the staff record them."""
    totals = (
        FundsEntry.objects.filter(project=project)
        .order_by()
        .values("origin")
        .annotate(total=Sum("amount"))
    )
    return [(FundsOrigin(row["origin"]).label, row["total"]) for row in totals]


# -- the reminder before the due day -------------------------------------------------------


def remind_monthly_reports(
    today: datetime.date | None = None, district_ids: list[int] | None = None
) -> str:
    """A daily step (``settings.DAILY_SCAN_STEPS``): from ``REMINDER_DAYS_BEFORE`` days
    before the due day (the 5th) to the due day itself, each active contact of an
    enterprise whose project has not filed last month's report gets one inbox message
    linking to the service hall's report form. Idempotent: a contact told about a
    project's month is not told again. ``district_ids``: only the projects of these
    districts (None: every district)."""
    today = today or clock.today()
    month = previous_month(today)
    due = due_on(month)
    if not (due - datetime.timedelta(days=REMINDER_DAYS_BEFORE) <= today <= due):
        return "not in the reminder days"
    projects = list(
        in_districts(Project.objects.owing_report(today), district_ids)
        .exclude(enterprise__isnull=True)
        .only("pk", "name", "enterprise_id")
    )
    if not projects:
        return "reminded 0"
    from zhaoshang.org.models import User

    contacts: dict[int, list] = {}
    users = User.objects.filter(
        is_active=True,
        enterprise_id__in={p.enterprise_id for p in projects},
        groups__name=roles.Role.ENTERPRISE,
    ).distinct()
    for user in users:
        contacts.setdefault(user.enterprise_id, []).append(user)
    urls = {p.pk: new_report_url(p.pk, month) for p in projects}
    told = set(
        Notification.objects.filter(verb=REMINDER_VERB, url__in=urls.values()).values_list(
            "recipient_id", "url"
        )
    )
    messages = []
    for project in projects:
        url = urls[project.pk]
        recipients = [u for u in contacts.get(project.enterprise_id, ()) if (u.pk, url) not in told]
        if not recipients:
            continue
        title = _("Monthly report for %(month)s due by %(due)s: %(project)s") % {
            "month": f"{month:%Y-%m}",
            "due": f"{due:%m-%d}",
            "project": project.name,
        }
        body = _(
            "Report the investment, funds in place and progress of %(month)s in the service "
            "hall by %(due)s."
        ) % {"month": f"{month:%Y-%m}", "due": due.isoformat()}
        messages.append((recipients, REMINDER_VERB, title, body, url))
    return f"reminded {notify_many(messages)}"


@task()
def monthly_report_reminders(day: str | None = None) -> str:
    """The reminder as a task (``remind_monthly_reports``) for a worker to run on demand;
    the scheduler runs it every day within the daily scan."""
    return remind_monthly_reports(datetime.date.fromisoformat(day) if day else None)
