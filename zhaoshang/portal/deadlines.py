"""The next deadlines of an enterprise's projects, on both sides (the service hall's "my
projects", its API and the home's to-do strip).

The enterprise's side: what it owes — its agreement obligations not yet met, the monthly
progress report due on the 5th, the materials it pledged for an approval accepted with
minor materials missing (容缺受理), and the rectify-by date of a rectification notice
served on it (限期整改通知; an exit warning before a notice is the government's internal
watch and is not shown).

The government's side: what is owed to it — its open approval cases, the departments'
agreement obligations not yet met, the next milestone of each running service commitment
and its open needs (诉求/问题).

Each source is read by its own app's queryset (status, days left and light in SQL, the
district's light rule): one query per source for any number of projects. Each statement is
compiled once per day and number of projects (``core.statements``): the key holds today and
today's working-day number, the one value read while building them (issue 19, point 2)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhaoshang.core import statements
from zhaoshang.core.lights import DEFAULT_YELLOW_WORKDAYS, Light, light_for_days_left

ENTERPRISE = "enterprise"
GOVERNMENT = "government"

KIND_LABELS = {
    "obligation": _("Agreement obligation"),
    "report": _("Monthly progress report"),
    "pledge": _("Pledged materials"),
    "notice": _("Rectification notice"),
    "case": _("Approval case"),
    "need": _("Need"),
    "milestone": _("Service commitment"),
}


@dataclass
class Deadline:
    """One date somebody must keep for a project."""

    project_id: int
    side: str
    kind: str
    title: str
    due_on: datetime.date | None
    days_left: int | None = None
    light: str = Light.NONE
    provisional: bool = False
    party: str = ""
    status: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def days_left_text(self) -> str:
        """剩余 N 个工作日 / 超期 N 个工作日 (the agreements pages' wording)."""
        from zhaoshang.agreements.views.common import days_left_text

        return days_left_text(self)

    @property
    def sort_key(self):
        return (self.due_on or datetime.date.max, self.kind, self.title)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    first = month_start(day)
    return month_start(first - datetime.timedelta(days=1))


def report_due_on(month: datetime.date) -> datetime.date:
    """A month's report is due on the 5th of the month after: ``MonthlyReport.due_on``."""
    from zhaoshang.projects.models import MonthlyReport

    return MonthlyReport(month=month).due_on


def _report_rows(projects: list, today: datetime.date) -> list[Deadline]:
    """The monthly report each reporting project owes next: last month's while it is not
    filed (unless signed after it), else this month's."""
    from zhaoshang.projects.choices import REPORTING_STAGES
    from zhaoshang.projects.models import MonthlyReport
    from zhaoshang.workdays.services import days_left

    reporting = [p for p in projects if p.stage in REPORTING_STAGES]
    if not reporting:
        return []
    last, this = previous_month(today), month_start(today)
    filed = set(
        MonthlyReport.objects.filter(
            project_id__in=[p.pk for p in reporting], month__in=[last, this]
        ).values_list("project_id", "month")
    )
    # Both possible due dates, read whatever the projects owe (the same queries for any rows).
    lefts = {due: days_left(due, today) for due in (report_due_on(last), report_due_on(this))}
    rows = []
    for p in reporting:
        signed_after_last = p.signed_on is not None and p.signed_on >= this
        if (p.pk, last) not in filed and not signed_after_last:
            month = last
        elif (p.pk, this) not in filed:
            month = this
        else:
            continue
        due = report_due_on(month)
        left = lefts[due]
        rows.append(
            Deadline(
                p.pk,
                ENTERPRISE,
                "report",
                _("Report for %(month)s") % {"month": month.strftime("%Y-%m")},
                due,
                left,
                light_for_days_left(left, DEFAULT_YELLOW_WORKDAYS),
            )
        )
    return rows


def _read(source: str, build, ids: list[int], today: datetime.date, seq: int) -> list:
    """The rows of ``build(ids)`` (a queryset of ``source`` as of ``today``, whose
    working-day number is ``seq``), its statement compiled once per day, calendar and number
    of projects (``core.statements``)."""
    key = ("portal.deadlines", source, today, seq)
    return statements.rows(key, build, ids)


def _obligation_rows(ids: list[int], today: datetime.date, seq: int) -> list[Deadline]:
    from zhaoshang.agreements.choices import ObligationStatus, Party
    from zhaoshang.agreements.models import Obligation

    qs = _read(
        "obligation",
        lambda ids: (
            Obligation.objects.filter(agreement__project_id__in=ids)
            .with_status(today)
            .filter(status__in=[ObligationStatus.PENDING, ObligationStatus.MISSED])
            .select_related("agreement", "department")
        ),
        ids,
        today,
        seq,
    )
    rows = []
    for o in qs:
        own = o.party == Party.ENTERPRISE
        rows.append(
            Deadline(
                o.agreement.project_id,
                ENTERPRISE if own else GOVERNMENT,
                "obligation",
                str(o.description),
                o.due_on,
                o.days_left,
                o.light,
                party="" if own else o.department.name,
                status=str(ObligationStatus(o.status).label),
            )
        )
    return rows


def _need_rows(ids: list[int], today: datetime.date, seq: int) -> list[Deadline]:
    from zhaoshang.service.models import Need

    qs = _read(
        "need",
        lambda ids: (
            Need.objects.filter(project_id__in=ids)
            .open()
            .with_days_left(today)
            .select_related("department")
        ),
        ids,
        today,
        seq,
    )
    return [
        Deadline(
            n.project_id,
            GOVERNMENT,
            "need",
            n.title,
            n.due_on,
            n.days_left,
            n.light,
            n.due_is_provisional,
            n.department.name,
            n.get_status_display(),
        )
        for n in qs
    ]


def _milestone_rows(ids: list[int], today: datetime.date, seq: int) -> list[Deadline]:
    """The next open milestone of each running commitment."""
    from zhaoshang.agreements.models import Milestone

    qs = _read(
        "milestone",
        lambda ids: (
            Milestone.objects.filter(
                commitment__project_id__in=ids, commitment__completed_on__isnull=True
            )
            .open()
            .with_state(today)
            .select_related("commitment", "owner_department")
            .order_by("commitment_id", "due_on", "seq")
        ),
        ids,
        today,
        seq,
    )
    rows, seen = [], set()
    for m in qs:
        if m.commitment_id in seen:
            continue
        seen.add(m.commitment_id)
        rows.append(
            Deadline(
                m.commitment.project_id,
                GOVERNMENT,
                "milestone",
                f"{m.commitment.title} · {m.name}",
                m.due_on,
                m.days_left,
                m.light,
                m.due_is_provisional,
                m.owner_department.name,
            )
        )
    return rows


def _notice_rows(ids: list[int], today: datetime.date, seq: int) -> list[Deadline]:
    from zhaoshang.exits.choices import WarningStatus
    from zhaoshang.exits.models import ExitWarning

    qs = _read(
        "notice",
        lambda ids: (
            ExitWarning.objects.filter(project_id__in=ids, status=WarningStatus.NOTICE)
            .with_days_left(today)
            .select_related("rule")
        ),
        ids,
        today,
        seq,
    )
    return [
        Deadline(
            w.project_id,
            ENTERPRISE,
            "notice",
            w.rule.get_code_display(),
            w.deadline,
            w.days_left,
            w.light,
        )
        for w in qs
    ]


def deadlines_of(projects: Iterable, today: datetime.date) -> dict[int, dict[str, list]]:
    """{project id: {"enterprise": [Deadline…], "government": [Deadline…]}}, each side by
    due date (the overdue first), for the given projects (their rows, read already)."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    out: dict[int, dict[str, list]] = {pk: {ENTERPRISE: [], GOVERNMENT: []} for pk in ids}
    if not ids:
        return out
    from zhaoshang.workdays.services import seq_of

    seq = seq_of(today)  # the one value the statements read while built
    rows = [
        *_report_rows(projects, today),
        *_obligation_rows(ids, today, seq),
        *_case_rows(ids, today, seq),
        *_need_rows(ids, today, seq),
        *_milestone_rows(ids, today, seq),
        *_notice_rows(ids, today, seq),
    ]
    for row in sorted(rows, key=lambda r: r.sort_key):
        out[row.project_id][row.side].append(row)
    return out


def _case_rows(ids: list[int], today: datetime.date, seq: int) -> list[Deadline]:
    """Open approval cases (the government's), and the materials the enterprise pledged
    for a case accepted with minor materials missing (its own)."""
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.workdays.querysets import days_left_expression

    qs = _read(
        "case",
        lambda ids: (
            ApprovalCase.objects.filter(project_id__in=ids)
            .open()
            .with_days_left(today)
            .annotate(pledge_days_left=days_left_expression("pledge_due_on", today))
            .select_related("item", "department")
        ),
        ids,
        today,
        seq,
    )
    return _cases_to_rows(qs)


def _cases_to_rows(qs) -> list[Deadline]:
    rows = []
    for c in qs:
        rows.append(
            Deadline(
                c.project_id,
                GOVERNMENT,
                "case",
                c.item.name,
                c.due_on,
                c.days_left,
                c.light,
                c.due_is_provisional,
                c.department.name,
                str(_("Paused")) if c.paused else c.get_status_display(),
            )
        )
        if c.pledge_due_on and not c.pledge_fulfilled_on:
            left = c.pledge_days_left
            rows.append(
                Deadline(
                    c.project_id,
                    ENTERPRISE,
                    "pledge",
                    c.item.name,
                    c.pledge_due_on,
                    left,
                    light_for_days_left(left, DEFAULT_YELLOW_WORKDAYS),
                    party=c.department.name,
                )
            )
    return rows
