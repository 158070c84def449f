"""Where the signals come from: one query per kind of timed thing, each using the app's own
light annotation (so the desk of each app and the daily scan agree), and one for the
investment schedule (序时进度). Each source yields plain rows:

``(object_id, district_id, project_id, department_id, title, url, due_on, gap, light)``

(the working days left decide the light, but a signal does not store them: they move every
working day while the signal does not — ``SignalQuerySet.with_days_left`` reads them off
``due_on``)

and, for the daily scan, says them in SQL where it can (``Source.query``: the title and the
link built by the database, so the signals are written by ``INSERT … SELECT`` and compared
by ``UPDATE … FROM`` without reading the rows); the rows SQL cannot phrase (a blank
obligation title phrased by the model) come as plain rows (``Source.extra``). The schedule
fills the scan's table itself (``Source.fill``): its gaps without a point to interpolate
between computed by the database in integers, the others in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Substr
from django.db.models.lookups import LessThan

from zhaoshang.agreements.choices import ObligationKind
from zhaoshang.agreements.models import Agreement, Milestone, Obligation
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.complaints.models import Complaint
from zhaoshang.core.lights import DEFAULT_RED_GAP, DEFAULT_YELLOW_GAP, Light
from zhaoshang.core.links import _parts, url_of, url_sql
from zhaoshang.core.querysets import by_district, in_districts
from zhaoshang.core.setwise import Unindexed, plain_rows
from zhaoshang.exits.models import ExitWarning
from zhaoshang.inspections.models import InspectionRequest
from zhaoshang.land.models import CampaignEntry
from zhaoshang.meetings.models import ActionItem
from zhaoshang.monitoring.choices import Subject
from zhaoshang.monitoring.models import LightRule
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project
from zhaoshang.service.models import Need

LIT = (Light.YELLOW, Light.RED)
Row = tuple
Districts = list[int] | None  # the daily scan's partition; None: every district

# A lit row's columns, in order; the SQL sources name them ``lit_<column>``.
COLUMNS = (
    "object_id",
    "district_id",
    "project_id",
    "department_id",
    "title",
    "url",
    "due_on",
    "gap",
    "light",
)
NAMES = tuple(f"lit_{c}" for c in COLUMNS)


def _lit(qs, *, pk="pk", district, project, department, title, url, due, gap=None):
    """The rows of ``qs`` (annotated with ``days_left`` and ``light``) as the nine columns,
    each computed by the database: a ``values_list`` of ``NAMES`` (the working days left
    only inside the light, not a column of their own), the lit ones those whose
    ``lit_light`` is in ``LIT`` (the caller filters: ``refresh`` on the computed column, so
    each row's light is computed once). The title is cut at 200 characters, as
    ``str(title)[:200]``."""

    def ref(value, field=None):
        if isinstance(value, str):
            return F(value)
        if value is None:  # typed, for PostgreSQL's INSERT … SELECT
            field = field or IntegerField()
            return Cast(Value(None, output_field=field), output_field=field)
        return value

    return (
        qs.annotate(
            lit_object_id=ref(pk),
            lit_district_id=ref(district),
            lit_project_id=ref(project),
            lit_department_id=ref(department),
            lit_title=Substr(Cast(ref(title), output_field=CharField()), 1, 200),
            lit_url=url,
            lit_due_on=ref(due),
            lit_gap=ref(gap, DecimalField(max_digits=6, decimal_places=1)),
            lit_light=F("light"),
        )
        .order_by()
        .values_list(*NAMES)
    )


def _lit_before(subject: str, today: datetime.date, district_ids: Districts) -> datetime.date:
    """A day before which everything of ``subject`` lit today falls due: red is past its
    due date, yellow within the district's window (at most the largest window of the
    districts' rules) — so the condition, plain and indexed, spares the database the
    light of every thing due later. It narrows nothing the light would keep."""
    from django.db.models import Max

    from zhaoshang.core.lights import DEFAULT_YELLOW_WORKDAYS
    from zhaoshang.monitoring.models import LightRule
    from zhaoshang.workdays.services import add_workdays

    rules = in_districts(LightRule.objects.filter(subject=subject), district_ids)
    widest = rules.aggregate(n=Max("yellow_workdays"))["n"] or 0
    return add_workdays(today, max(widest, DEFAULT_YELLOW_WORKDAYS) + 1).date


class Source:
    """One kind of timed thing: ``query(today, district_ids)`` — its rows that may be lit
    as SQL (a ``values_list`` of ``NAMES``; the lit ones written by ``INSERT … SELECT``),
    and ``extra(today,
    district_ids)`` — the rows SQL cannot phrase, as plain tuples (none by default).
    Called, it yields every lit row as a plain tuple, in the order of object ids."""

    def __init__(self, query=None, extra=None, fill=None):
        self.query = query
        self.extra = extra
        # The daily scan's way instead of ``query`` and ``extra``, when there is one:
        # ``fill(connection, cursor, table, today, district_ids)`` writes the lit rows it
        # can into ``table`` and returns the others as plain rows.
        self.fill = fill

    def __call__(self, today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
        rows = []
        if self.query is not None:
            lit = self.query(today, district_ids).filter(light__in=LIT)
            rows.extend(lit.iterator(chunk_size=5000))
        if self.extra is not None:
            rows.extend(self.extra(today, district_ids))
        rows.sort(key=lambda row: row[0])
        return iter(rows)


def _cases(today: datetime.date, district_ids: Districts = None):
    qs = in_districts(ApprovalCase.objects.open(), district_ids)
    qs = qs.filter(due_on__lt=_lit_before(Subject.CASE, today, district_ids))
    qs = qs.with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project="project_id",
        department="department_id",
        title="item__name",
        url=url_sql("approvals:case", "pk"),
        due="due_on",
    )


def _needs(today: datetime.date, district_ids: Districts = None):
    qs = in_districts(Need.objects.open(), district_ids)
    qs = qs.filter(due_on__lt=_lit_before(Subject.NEED, today, district_ids))
    qs = qs.with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project="project_id",
        department="department_id",
        title="title",
        url=url_sql("service:need", "pk"),
        due="due_on",
    )


def _action_items(today: datetime.date, district_ids: Districts = None):
    qs = in_districts(ActionItem.objects.open(), district_ids)
    qs = qs.filter(due_on__lt=_lit_before(Subject.ACTION_ITEM, today, district_ids))
    qs = qs.with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project="project_id",
        department="owner_department_id",
        title="title",
        url=url_sql("meetings:action_item", "pk"),
        due="due_on",
    )


def _complaints(today: datetime.date, district_ids: Districts = None):
    qs = in_districts(Complaint.objects.open(), district_ids)
    qs = qs.filter(due_on__lt=_lit_before(Subject.COMPLAINT, today, district_ids))
    qs = qs.with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project="project_id",
        department="department_id",
        title="number",
        url=url_sql("complaints:detail", "pk"),
        due="due_on",
    )


def _inspections(today: datetime.date, district_ids: Districts = None):
    """Requests awaiting the supervision office's decision (due by their planned date);
    they belong to no project, so they are not escalated along a project's chain."""
    qs = in_districts(InspectionRequest.objects.pending(), district_ids).with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project=None,
        department="department_id",
        title="number",
        url=url_sql("inspections:detail", "pk"),
        due="due_on",
    )


def _labelled(field: str, choices) -> Case:
    """SQL: the (translated) label of the choice in ``field``, as ``get_FOO_display``."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=F(field),
        output_field=CharField(),
    )


def _warnings(today: datetime.date, district_ids: Districts = None):
    """Exit warnings under a rectification notice (due by its rectify-by date)."""
    from zhaoshang.exits.choices import RuleCode, WarningStatus

    # only a warning under a notice has a deadline (the others have no light)
    qs = in_districts(ExitWarning.objects.filter(status=WarningStatus.NOTICE), district_ids)
    qs = qs.filter(notice_deadline__lt=_lit_before(Subject.WARNING, today, district_ids))
    qs = qs.with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project="project_id",
        department=None,
        title=Concat(
            F("project__name"),
            Value(" · "),
            _labelled("rule__code", RuleCode.choices),
            output_field=CharField(),
        ),
        url=url_sql("exits:detail", "pk"),
        due="deadline",
    )


def _cleanup_deadlines(today: datetime.date, district_ids: Districts = None):
    """Land clean-up decisions whose follow-up has a deadline (限期整改, or the date given
    before a recovery or clearance proceeds)."""
    from zhaoshang.land.choices import Decision

    qs = in_districts(CampaignEntry.objects.running(), district_ids).with_days_left(today)
    return _lit(
        qs,
        district="district_id",
        project="project_id",
        department=None,
        title=Concat(
            F("project__name"),
            Value(" · "),
            _labelled("decision", Decision.choices),
            output_field=CharField(),
        ),
        url=url_sql(
            "land:campaign",
            "campaign_id",
            Concat(Value("#entry-"), Cast("pk", output_field=CharField())),
        ),
        due="watched_deadline",
    )


def _obligations_due(today: datetime.date, district_ids: Districts = None):
    """The obligations that may be lit: due before ``_lit_before`` — the past ones
    included, most of the table, so read through rather than by the due dates' index."""
    due_before = _lit_before(Subject.OBLIGATION, today, district_ids)
    due = Unindexed(F("due_on"), output_field=DateField())
    return in_districts(Obligation.objects.filter(LessThan(due, due_before)), district_ids)


def _obligation_rows(today: datetime.date, district_ids: Districts = None):
    return _obligations_due(today, district_ids).with_status(today)


def _obligations(today: datetime.date, district_ids: Districts = None):
    """The obligations with a title (a blank one is phrased in Python, ``_untitled``)."""
    return _lit(
        _obligation_rows(today, district_ids).exclude(title=""),
        district="district_id",
        project="agreement__project_id",
        department="department_id",
        title="title",
        url=url_sql("agreements:obligation", "pk"),
        due="due_on",
    )


def _untitled(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """An obligation with a blank title: the term's own phrasing is its description
    (built on an unsaved obligation of the few fields it reads; the rows are plain).
    Usually there is none: a plain look first (no light computed, and no due date, so the
    database reads the table through rather than the due dates' index) spares the query."""
    if not in_districts(Obligation.objects.filter(title=""), district_ids).exists():
        return
    qs = (
        _obligations_due(today, district_ids)
        .filter(title="")
        .with_status(today)
        .filter(light__in=LIT)
        .order_by("pk")
        .values_list(
            "pk",
            "district_id",
            "agreement__project_id",
            "department_id",
            "kind",
            "target_amount",
            "target_stage",
            "target_text",
            "due_on",
            "light",
        )
    )
    link = url_of("agreements:obligation")
    for row in qs.iterator(chunk_size=2000):
        pk, district_id, project_id, department_id, kind, amount, stage, text = row[:8]
        due_on, light = row[8:]
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
            None,
            light,
        )


def _milestones(today: datetime.date, district_ids: Districts = None):
    qs = in_districts(Milestone.objects.open(), district_ids, "commitment__district_id")
    qs = qs.filter(due_on__lt=_lit_before(Subject.MILESTONE, today, district_ids))
    return _lit(
        qs.with_state(today),
        district="commitment__district_id",
        project="commitment__project_id",
        department="owner_department_id",
        title="name",
        url=url_sql(
            "agreements:commitment",
            "commitment_id",
            Concat(Value("#m"), Cast("pk", output_field=CharField())),
        ),
        due="due_on",
    )


cases = Source(_cases)
needs = Source(_needs)
action_items = Source(_action_items)
complaints = Source(_complaints)
inspections = Source(_inspections)
warnings = Source(_warnings)
cleanup_deadlines = Source(_cleanup_deadlines)
obligations = Source(_obligations, _untitled)
milestones = Source(_milestones)


def _schedules(today: datetime.date, district_ids: Districts = None) -> Iterator[Row]:
    """Investment against the agreement's schedule (序时进度): the plan to date is read off
    the agreement's cumulative obligations — funds in place (资金到位) and investment
    completed — linearly between two of them; the fact is the funds in place to date and
    the latest monthly report's cumulative investment. The gap is in percentage points of
    the contracted investment; the worse of the two measures counts. Every agreement in
    Python (the daily scan says most of them in SQL: ``_fill_schedules``)."""
    return _lit_schedules(today, plain_rows(_schedule_base(today, district_ids)))


def _schedule_base(today: datetime.date, district_ids: Districts = None, keys: bool = False):
    """One row per agreement with a contracted investment: for each measure (``f_``: funds
    in place, ``i_``: investment) its last point to date, its next point and the fact, each
    a subquery evaluated once (a project has one agreement: the signal's object); the
    district's yellow and red gaps; the signal's title and link.

    ``keys``: each point's key in place of its date and amount (``SCHEDULE_KEYS``: the
    daily scan reads the point's row by its key, ``schedule_sql.schedule_table``)."""
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
    rows = in_districts(Agreement.objects.filter(contracted_investment__gt=0), district_ids)
    for prefix, kind, done in (
        ("f", ObligationKind.FUNDS, funds),
        ("i", ObligationKind.INVESTMENT, invested),
    ):
        # Without any point of the kind in the districts its subqueries are spared (the
        # kind alone: a due date would have the database walk the due dates' index).
        points_of_kind = Obligation.objects.filter(kind=kind)
        if not in_districts(points_of_kind, district_ids, "agreement__district_id").exists():
            none = {
                f"{prefix}_prev_on": Cast(Value(None), DateField()),
                f"{prefix}_prev_amount": Cast(Value(None), money),
                f"{prefix}_next_on": Cast(Value(None), DateField()),
                f"{prefix}_next_amount": Cast(Value(None), money),
                f"{prefix}_done": Cast(Value(None), money),
            }
            if keys:
                none = {
                    f"{prefix}_prev_key": Cast(Value(None), IntegerField()),
                    f"{prefix}_next_key": Cast(Value(None), IntegerField()),
                    f"{prefix}_done": none[f"{prefix}_done"],
                }
            rows = rows.annotate(**none)
            continue

        def points(kind=kind):
            return Obligation.objects.filter(
                agreement=OuterRef("pk"), kind=kind, waived_on__isnull=True
            )

        prev = points().filter(due_on__lte=today).order_by("-due_on")
        nxt = points().filter(due_on__gt=today).order_by("due_on")
        if keys:
            rows = rows.annotate(
                **{
                    f"{prefix}_prev_key": Subquery(prev.values("pk")[:1]),
                    f"{prefix}_next_key": Subquery(nxt.values("pk")[:1]),
                    f"{prefix}_done": Subquery(done, output_field=money),
                }
            )
            continue
        rows = rows.annotate(
            **{
                f"{prefix}_prev_on": Subquery(prev.values("due_on")[:1], output_field=DateField()),
                f"{prefix}_prev_amount": Subquery(
                    prev.values("target_amount")[:1], output_field=money
                ),
                f"{prefix}_next_on": Subquery(nxt.values("due_on")[:1], output_field=DateField()),
                f"{prefix}_next_amount": Subquery(
                    nxt.values("target_amount")[:1], output_field=money
                ),
                f"{prefix}_done": Subquery(done, output_field=money),
            }
        )
    # Each district's gaps read once and written into the statement (not two lookups of
    # the district's rule for each agreement); the defaults where it has none.
    rules = in_districts(LightRule.objects.filter(subject=Subject.SCHEDULE), district_ids)
    yellow = {r.district_id: r.yellow_gap for r in rules if r.yellow_gap is not None}
    red = {r.district_id: r.red_gap for r in rules if r.red_gap is not None}
    small = IntegerField()
    return (
        rows.annotate(
            yellow=by_district(yellow, small, default=DEFAULT_YELLOW_GAP),
            red=by_district(red, small, default=DEFAULT_RED_GAP),
        )
        .order_by()
        .values_list(
            "pk",
            "district_id",
            "project_id",
            "project__name",
            "contracted_investment",
            *(f"{p}_{c}" for p in "fi" for c in (SCHEDULE_KEYS if keys else SCHEDULE_POINT)),
            "yellow",
            "red",
        )
    )


# A measure's columns in ``_schedule_base`` (after the prefix ``f_`` or ``i_``); with
# ``keys``, the points' keys in place of their dates and amounts.
SCHEDULE_POINT = ("prev_on", "prev_amount", "next_on", "next_amount", "done")
SCHEDULE_KEYS = ("prev_key", "next_key", "done")


def _lit_schedules(today: datetime.date, rows) -> Iterator[Row]:
    """The lit rows of the plain rows of ``_schedule_base``: each agreement's gap the worse
    of its measures', lit by its district's gaps; the agreements in the order the funds
    measure meets them, then the investment measure (the last of a project's counts)."""
    rows = list(rows)
    worst: dict[int, tuple] = {}
    for first in (5, 10):  # the funds measure's columns, then the investment's
        for row in rows:
            pk, district_id, project_id, name, total = row[:5]
            prev_on, prev_amount, next_on, next_amount, done_amount = row[first : first + 5]
            # (a target amount found implies its point's date)
            if prev_amount is None:
                continue
            planned = planned_to_date(today, prev_on, prev_amount, next_on, next_amount)
            gap = ((planned - (done_amount or Decimal(0))) / total * 100).quantize(Decimal("0.1"))
            if pk not in worst or gap > worst[pk][-1]:
                worst[pk] = (pk, district_id, project_id, name, row[-2], row[-1], gap)
    link = url_of("agreements:project")
    for _pk, district_id, project_id, name, yellow, red, gap in worst.values():
        if gap > red:
            light = Light.RED
        elif gap >= yellow:
            light = Light.YELLOW
        else:
            continue
        url = link(project_id)
        yield (project_id, district_id, project_id, None, name, url, None, gap, light)


def planned_to_date(today, prev_on, prev_amount, next_on, next_amount) -> Decimal:
    """The planned cumulative amount on ``today``: the last point's target, moving
    linearly towards the next point's."""
    planned = prev_amount
    if next_on is not None and next_amount is not None and next_on > prev_on:
        share = Decimal((today - prev_on).days) / Decimal((next_on - prev_on).days)
        planned = planned + (next_amount - planned) * share
    return planned


def _fill_schedules(connection, cursor, table: str, today: datetime.date, district_ids) -> list:
    """The schedule's lit rows written into ``table`` by the database where its integers give
    exactly the ``Decimal`` gaps, the rest returned (``schedule_sql.fill``)."""
    from zhaoshang.monitoring import schedule_sql

    return schedule_sql.fill(connection, cursor, table, today, district_ids)


def _project_link() -> tuple[str, str]:
    return _parts("agreements:project")


schedules = Source(extra=_schedules, fill=_fill_schedules)

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
