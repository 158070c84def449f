"""Where the signals come from: one query per kind of timed thing, each using the app's own
light annotation (so the desk of each app and the daily scan agree), and one for the
investment schedule (序时进度). Each source yields plain rows:

``(object_id, district_id, project_id, department_id, title, url, due_on, days_left, gap,
light)``
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, DecimalField, OuterRef, Subquery, Sum

from zhaoshang.agreements.choices import ObligationKind
from zhaoshang.agreements.models import Agreement, Milestone, Obligation
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.complaints.models import Complaint
from zhaoshang.core.lights import Light
from zhaoshang.core.links import url_of
from zhaoshang.core.querysets import in_districts
from zhaoshang.exits.models import ExitWarning
from zhaoshang.inspections.models import InspectionRequest
from zhaoshang.land.models import CampaignEntry
from zhaoshang.meetings.models import ActionItem
from zhaoshang.monitoring.choices import Subject
from zhaoshang.monitoring.lights import schedule_gaps
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project
from zhaoshang.service.models import Need

LIT = (Light.YELLOW, Light.RED)
Row = tuple
Districts = list[int] | None  # the daily scan's partition; None: every district


def _rows(qs, url_name: str, fields: tuple[str, ...]) -> Iterator[Row]:
    """``fields``: object id, district, project, department, title, due date."""
    pk, district, project, department, title, due = fields
    link = url_of(url_name)
    for row in qs.filter(light__in=LIT).values_list(
        pk, district, project, department, title, due, "days_left", "light"
    ):
        object_id, district_id, project_id, department_id, text, due_on, left, light = row
        yield (
            object_id,
            district_id,
            project_id,
            department_id,
            str(text)[:200],
            link(object_id),
            due_on,
            left,
            None,
            light,
        )


def cases(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    qs = in_districts(ApprovalCase.objects.open(), district_ids).with_days_left(today)
    return _rows(
        qs,
        "approvals:case",
        ("pk", "district_id", "project_id", "department_id", "item__name", "due_on"),
    )


def needs(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    qs = in_districts(Need.objects.open(), district_ids).with_days_left(today)
    return _rows(
        qs, "service:need", ("pk", "district_id", "project_id", "department_id", "title", "due_on")
    )


def action_items(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    qs = in_districts(ActionItem.objects.open(), district_ids).with_days_left(today)
    return _rows(
        qs,
        "meetings:action_item",
        ("pk", "district_id", "project_id", "owner_department_id", "title", "due_on"),
    )


def complaints(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    qs = in_districts(Complaint.objects.open(), district_ids).with_days_left(today)
    return _rows(
        qs,
        "complaints:detail",
        ("pk", "district_id", "project_id", "department_id", "number", "due_on"),
    )


def inspections(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """Requests awaiting the supervision office's decision (due by their planned date);
    they belong to no project, so they are not escalated along a project's chain."""
    qs = in_districts(InspectionRequest.objects.pending(), district_ids).with_days_left(today)
    link = url_of("inspections:detail")
    for row in qs.filter(light__in=LIT).values_list(
        "pk", "district_id", "department_id", "number", "due_on", "days_left", "light"
    ):
        object_id, district_id, department_id, number, due_on, left, light = row
        url = link(object_id)
        yield (object_id, district_id, None, department_id, number, url, due_on, left, None, light)


def warnings(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """Exit warnings under a rectification notice (due by its rectify-by date)."""
    qs = (
        in_districts(ExitWarning.objects, district_ids)
        .with_days_left(today)
        .filter(light__in=LIT)
        .select_related("project", "rule")
    )
    link = url_of("exits:detail")
    for w in qs.order_by("pk"):
        title = f"{w.project.name} · {w.rule.get_code_display()}"
        url = link(w.pk)
        yield (
            w.pk,
            w.district_id,
            w.project_id,
            None,
            title[:200],
            url,
            w.deadline,
            w.days_left,
            None,
            w.light,
        )


def cleanup_deadlines(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """Land clean-up decisions whose follow-up has a deadline (限期整改, or the date given
    before a recovery or clearance proceeds)."""
    qs = (
        in_districts(CampaignEntry.objects.running(), district_ids)
        .with_days_left(today)
        .select_related("project")
    )
    link = url_of("land:campaign")
    for e in qs.filter(light__in=LIT).order_by("pk"):
        title = f"{e.project.name} · {e.get_decision_display()}"
        yield (
            e.pk,
            e.district_id,
            e.project_id,
            None,
            title[:200],
            link(e.campaign_id) + f"#entry-{e.pk}",
            e.watched_deadline,
            e.days_left,
            None,
            e.light,
        )


def obligations(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """An obligation's title may be blank: the term's own phrasing is its description
    (built on an unsaved obligation of the few fields it reads; the rows are plain)."""
    qs = (
        in_districts(Obligation.objects, district_ids)
        .with_status(today)
        .filter(light__in=LIT)
        .order_by("pk")
        .values_list(
            "pk",
            "district_id",
            "agreement__project_id",
            "department_id",
            "title",
            "kind",
            "target_amount",
            "target_stage",
            "target_text",
            "due_on",
            "days_left",
            "light",
        )
    )
    link = url_of("agreements:obligation")
    for row in qs.iterator(chunk_size=2000):
        pk, district_id, project_id, department_id, title, kind, amount, stage, text = row[:9]
        due_on, left, light = row[9:]
        if not title:
            title = Obligation(
                kind=kind,
                target_amount=amount,
                target_stage=stage,
                target_text=text,
                due_on=due_on,
            ).description
        yield (
            pk,
            district_id,
            project_id,
            department_id,
            str(title)[:200],
            link(pk),
            due_on,
            left,
            None,
            light,
        )


def milestones(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    qs = in_districts(Milestone.objects.open(), district_ids, "commitment__district_id")
    qs = qs.with_state(today)
    link = url_of("agreements:commitment")
    for row in qs.filter(light__in=LIT).values_list(
        "pk",
        "commitment__district_id",
        "commitment__project_id",
        "owner_department_id",
        "name",
        "due_on",
        "days_left",
        "light",
        "commitment_id",
    ):
        *head, light, commitment_id = row
        object_id, district_id, project_id, department_id, name, due_on, left = head
        url = link(commitment_id) + f"#m{object_id}"
        yield (
            object_id,
            district_id,
            project_id,
            department_id,
            name,
            url,
            due_on,
            left,
            None,
            light,
        )


def schedules(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """Investment against the agreement's schedule (序时进度): the plan to date is read off
    the agreement's cumulative obligations — funds in place (资金到位) and investment
    completed — linearly between two of them; the fact is the funds in place to date and
    the latest monthly report's cumulative investment. The gap is in percentage points of
    the contracted investment; the worse of the two measures counts. One query per
    measure for every agreement."""
    worst: dict[int, tuple] = {}
    for row in _schedule_rows(today, district_ids):
        agreement_id, gap = row[0], row[-1]
        if agreement_id not in worst or gap > worst[agreement_id][-1]:
            worst[agreement_id] = row
    gaps: dict = {}
    link = url_of("agreements:project")
    for _pk, district_id, project_id, name, gap in worst.values():
        if district_id not in gaps:
            gaps[district_id] = schedule_gaps(district_id)
        yellow, red = gaps[district_id]
        if gap > red:
            light = Light.RED
        elif gap >= yellow:
            light = Light.YELLOW
        else:
            continue
        url = link(project_id)
        yield (project_id, district_id, project_id, None, name, url, None, None, gap, light)


def _schedule_rows(today: datetime.date, district_ids: Districts = None):
    money = DecimalField(max_digits=16, decimal_places=2)
    funds = (
        FundsEntry.objects.filter(project=OuterRef("project"), received_on__lte=today)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    invested = (
        MonthlyReport.objects.filter(project=OuterRef("project"), month__lte=today)
        .order_by("-month")
        .values("investment_cumulative")[:1]
    )
    for kind, done in ((ObligationKind.FUNDS, funds), (ObligationKind.INVESTMENT, invested)):

        def points(kind=kind):
            return Obligation.objects.filter(
                agreement=OuterRef("pk"), kind=kind, waived_on__isnull=True
            )

        prev = points().filter(due_on__lte=today).order_by("-due_on")
        nxt = points().filter(due_on__gt=today).order_by("due_on")
        rows = (
            in_districts(Agreement.objects.filter(contracted_investment__gt=0), district_ids)
            .annotate(
                prev_on=Subquery(prev.values("due_on")[:1], output_field=DateField()),
                prev_amount=Subquery(prev.values("target_amount")[:1], output_field=money),
                next_on=Subquery(nxt.values("due_on")[:1], output_field=DateField()),
                next_amount=Subquery(nxt.values("target_amount")[:1], output_field=money),
                done=Subquery(done, output_field=money),
            )
            .filter(prev_on__isnull=False, prev_amount__isnull=False)
            .values_list(
                "pk",
                "district_id",
                "project_id",
                "project__name",
                "contracted_investment",
                "prev_on",
                "prev_amount",
                "next_on",
                "next_amount",
                "done",
            )
        )
        for pk, district_id, project_id, name, total, *plan, done_amount in rows:
            planned = planned_to_date(today, *plan)
            gap = ((planned - (done_amount or Decimal(0))) / total * 100).quantize(Decimal("0.1"))
            yield (pk, district_id, project_id, name, gap)


def planned_to_date(today, prev_on, prev_amount, next_on, next_amount) -> Decimal:
    """The planned cumulative amount on ``today``: the last point's target, moving
    linearly towards the next point's."""
    planned = prev_amount
    if next_on is not None and next_amount is not None and next_on > prev_on:
        share = Decimal((today - prev_on).days) / Decimal((next_on - prev_on).days)
        planned = planned + (next_amount - planned) * share
    return planned


SOURCES = {
    Subject.CASE: cases,
    Subject.NEED: needs,
    Subject.ACTION_ITEM: action_items,
    Subject.COMPLAINT: complaints,
    Subject.OBLIGATION: obligations,
    Subject.MILESTONE: milestones,
    Subject.SCHEDULE: schedules,
    Subject.INSPECTION: inspections,
    Subject.WARNING: warnings,
    Subject.CLEANUP: cleanup_deadlines,
}


def content_type_of(subject: str):
    model = {
        Subject.CASE: ApprovalCase,
        Subject.NEED: Need,
        Subject.ACTION_ITEM: ActionItem,
        Subject.COMPLAINT: Complaint,
        Subject.OBLIGATION: Obligation,
        Subject.MILESTONE: Milestone,
        Subject.SCHEDULE: Project,
        Subject.INSPECTION: InspectionRequest,
        Subject.WARNING: ExitWarning,
        Subject.CLEANUP: CampaignEntry,
    }[subject]
    return ContentType.objects.get_for_model(model)
