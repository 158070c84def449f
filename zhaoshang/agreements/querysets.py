"""Scoping and the SQL-side derivations of agreements and commitments.

An obligation's status is derived in SQL from the project's records, never stored:

- funds in place (``funds``): met on the first day the cumulative funds in place reach the
  target (all entries of that day counted);
- investment completed (``investment``): met in the first month whose monthly report shows
  the cumulative investment at the target; a monthly report stands for its month, so a
  due date in that month counts as kept;
- a stage (``stage``): met on the project's date of that stage (开工, 投产 …);
- a service (``service``): met on the day the commitment that fulfils it was completed, or
  on the confirmed day;
- everything else: met on the day confirmed by hand, with an evidence file.

Then, as of a day (``today``, or a closed period's last day): waived if waived by then; met
if met by then and on or before the due date (the due date itself counts); met late if met
by then after it; missed once the due date has passed unmet by then; pending before that. A
meeting or waiver dated after the day does not count yet, so a closed year's figures stay.
A project performs its agreement (履约) while none of its obligations is missed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.db import models
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.db.models.lookups import GreaterThan

from zhaoshang.agreements.choices import (
    MilestoneState,
    ObligationKind,
    ObligationStatus,
)
from zhaoshang.core.history import field_on
from zhaoshang.core.lights import Light, yellow_within
from zhaoshang.core.querysets import ProjectScopedQuerySet
from zhaoshang.projects.choices import STAGE_DATE_FIELDS
from zhaoshang.projects.models import FundsEntry, MonthlyReport, StageEvent
from zhaoshang.workdays.querysets import days_left_expression

AMOUNT = DecimalField(max_digits=16, decimal_places=2)
DECIDED = (ObligationStatus.MET, ObligationStatus.MET_LATE, ObligationStatus.MISSED)
# Not met by the due date (a breach, 违约): missed, or met after it (``ObligationQuerySet.late``).
LATE = (ObligationStatus.MISSED, ObligationStatus.MET_LATE)
# The light rule (亮灯规则) a commitment and its milestones follow: a commitment is its
# reverse schedule, so it is yellow by the milestones' rule (monitoring's "milestone").
MILESTONE_SUBJECT = "milestone"


def _count(queryset):
    """The number of rows of a correlated queryset, 0 when none."""
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


# ---------------------------------------------------------------------------------------
# Agreements and obligations


def funds_met_on(project_ref: str = "agreement__project", target_ref: str = "target_amount"):
    """SQL: the first day the cumulative funds in place of the project reach the target."""
    running = (
        FundsEntry.objects.filter(
            project=OuterRef("project"), received_on__lte=OuterRef("received_on")
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    crossing = (
        FundsEntry.objects.filter(project=OuterRef(project_ref))
        .annotate(running=Subquery(running, output_field=AMOUNT))
        .filter(running__gte=OuterRef(target_ref))
        .order_by("received_on")
        .values("received_on")[:1]
    )
    return Subquery(crossing, output_field=DateField())


def funds_to_date(today: datetime.date, project_ref: str = "agreement__project"):
    total = (
        FundsEntry.objects.filter(project=OuterRef(project_ref), received_on__lte=today)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=AMOUNT), Value(Decimal("0")), output_field=AMOUNT)


def _report_met(project_ref: str = "agreement__project"):
    return MonthlyReport.objects.filter(
        project=OuterRef(project_ref), investment_cumulative__gte=OuterRef("target_amount")
    ).order_by("month")


def _latest_report(project_ref: str = "agreement__project"):
    return MonthlyReport.objects.filter(project=OuterRef(project_ref)).order_by("-month")


def _stage_events(project_ref: str = "agreement__project"):
    return StageEvent.objects.filter(
        project=OuterRef(project_ref), to_stage=OuterRef("target_stage"), is_backward=False
    ).order_by("-occurred_on", "-id")


def _stage_date(project_prefix: str = "agreement__project__"):
    return Case(
        *[
            When(target_stage=stage, then=F(f"{project_prefix}{field}"))
            for stage, field in STAGE_DATE_FIELDS.items()
        ],
        default=Value(None, output_field=DateField()),
        output_field=DateField(),
    )


def _commitment_done():
    from zhaoshang.agreements.models import Commitment

    return Commitment.objects.filter(
        obligation=OuterRef("pk"), completed_on__isnull=False
    ).order_by("completed_on")


class AgreementQuerySet(ProjectScopedQuerySet):
    """Agreements are visible with their project (信息共享); the bureau edits them."""

    def with_performance(self, today: datetime.date, *, history: bool = False):
        """``obligations_total`` (not waived), ``obligations_missed``,
        ``obligations_met_on_time``, ``obligations_decided`` (met, met late or missed),
        ``is_performing`` and ``on_time_share`` (met on time ÷ decided, NULL when none is
        decided), each computed in SQL. With ``history`` (a closed period), each
        obligation's due date is the one it had at the end of ``today``."""
        return self.annotate(**_performance_expressions(today, "project", history))


# The figures that read others (by name, in the same annotate).
_FIGURES_READ = {
    "is_performing": ("obligations_missed",),
    "on_time_share": ("obligations_met_on_time", "obligations_decided"),
}


def _performance_expressions(
    today: datetime.date, project_ref: str, history: bool = False, figures=None
) -> dict:
    """The 履约 annotations, all of them or only ``figures`` (and the figures they read):
    each count is a correlated subquery over the obligations with their met date and
    status, costly to build (and to run) — a caller needing one figure builds one."""
    from zhaoshang.agreements.models import Obligation

    def of_project():
        return Obligation.objects.filter(agreement__project=OuterRef(project_ref)).with_met(
            today, history=history
        )

    built = {
        "obligations_total": lambda: _count(of_project().exclude(status=ObligationStatus.WAIVED)),
        "obligations_missed": lambda: _count(of_project().filter(status=ObligationStatus.MISSED)),
        "obligations_met_on_time": lambda: _count(of_project().filter(status=ObligationStatus.MET)),
        "obligations_decided": lambda: _count(of_project().filter(status__in=DECIDED)),
        "is_performing": lambda: Case(
            When(obligations_missed=0, then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        ),
        "on_time_share": lambda: (
            Cast(F("obligations_met_on_time"), FloatField())
            / NullIf(Cast(F("obligations_decided"), FloatField()), Value(0.0))
        ),
    }
    wanted = set(built if figures is None else figures)
    wanted.update(name for figure in list(wanted) for name in _FIGURES_READ.get(figure, ()))
    return {name: build() for name, build in built.items() if name in wanted}


def with_performance(projects, today: datetime.date, *, history: bool = False, figures=None):
    """Projects annotated with their 履约 figures (for lists and the KPIs of SPEC §12):
    ``has_agreement``, ``obligations_total``, ``obligations_missed``,
    ``obligations_met_on_time``, ``obligations_decided``, ``on_time_share`` and
    ``is_performing`` — true while no obligation is missed, NULL without an agreement
    signed by ``today``. With ``history`` (a closed period's figures), each obligation
    counts with the due date it had at the end of ``today`` (``ObligationQuerySet.as_then``):
    a due date moved afterwards does not change the period. ``figures``: only these (and
    what they read, and ``has_agreement``), e.g. ``("is_performing",)`` for the KPIs'
    count of performing projects: one subquery built instead of four."""
    from zhaoshang.agreements.models import Agreement

    expressions = _performance_expressions(today, "pk", history, figures)
    if "is_performing" in expressions:
        expressions["is_performing"] = Case(
            When(has_agreement=False, then=Value(None)),
            When(obligations_missed=0, then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(null=True),
        )
    return projects.annotate(
        has_agreement=Exists(Agreement.objects.filter(project=OuterRef("pk"), signed_on__lte=today))
    ).annotate(**expressions)


def attach_performance(agreements, today: datetime.date) -> list:
    """``AgreementQuerySet.with_performance``'s figures set on each of ``agreements`` (a
    page of them, or one): their projects' obligations read once with their status
    (``ObligationQuerySet.with_met``, the one definition) and counted here, rather than four
    correlated counts per agreement that each build and run ``with_met`` again — a page of 50
    agreements took 0.19 s of SQL and its statement 0.1 s to build (issue 19.2). Returns the
    agreements, as a list."""
    from zhaoshang.agreements.models import Obligation

    agreements = list(agreements)
    tallies: dict[int, Counter] = {a.project_id: Counter() for a in agreements}
    if tallies:
        statuses = (
            Obligation.objects.filter(agreement__project_id__in=sorted(tallies))
            .with_met(today)
            .order_by()
            .values_list("agreement__project_id", "status")
        )
        for project_id, status in statuses:
            tallies[project_id][status] += 1
    for agreement in agreements:
        tally = tallies[agreement.project_id]
        decided = sum(tally[s] for s in DECIDED)
        agreement.obligations_total = sum(
            n for s, n in tally.items() if s != ObligationStatus.WAIVED
        )
        agreement.obligations_missed = tally[ObligationStatus.MISSED]
        agreement.obligations_met_on_time = tally[ObligationStatus.MET]
        agreement.obligations_decided = decided
        agreement.is_performing = agreement.obligations_missed == 0
        agreement.on_time_share = tally[ObligationStatus.MET] / decided if decided else None
    return agreements


def performance_summary(projects, today: datetime.date, *, history: bool = False) -> dict:
    """履约率 over a set of projects (SPEC §12: projects meeting their obligations ÷ the
    projects), and the share of their obligations met on time, in one query:
    ``projects``, ``with_agreement``, ``performing``, ``performance_rate`` (0–1, None
    without projects), ``met_on_time``, ``decided``, ``on_time_share`` (None when no
    obligation is decided)."""
    rows = with_performance(projects.order_by(), today, history=history).aggregate(
        projects=Count("pk"),
        with_agreement=Count("pk", filter=Q(has_agreement=True)),
        performing=Count("pk", filter=Q(is_performing=True)),
        met_on_time=Coalesce(Sum("obligations_met_on_time"), Value(0)),
        decided=Coalesce(Sum("obligations_decided"), Value(0)),
    )
    rows["performance_rate"] = rows["performing"] / rows["projects"] if rows["projects"] else None
    rows["on_time_share"] = rows["met_on_time"] / rows["decided"] if rows["decided"] else None
    return rows


class ObligationQuerySet(ProjectScopedQuerySet):
    """Obligations are visible with their project."""

    project_path = "agreement__project"

    def as_then(self, day: datetime.date):
        """``due_then`` and ``department_then``: the due date and the owner department an
        obligation had at the end of ``day`` (a closed period's figures: a due date moved or
        a department changed afterwards does not rewrite it), from its history in SQL — no
        query per row; the current values for an obligation without history by then."""
        from zhaoshang.agreements.models import Obligation

        return self.annotate(
            due_then=field_on(Obligation, day, "due_on", DateField()),
            department_then=field_on(Obligation, day, "department_id", IntegerField()),
        )

    def with_met(self, today: datetime.date, *, history: bool = False):
        """``met_on`` (the day it was met, from the records or the confirmation) and
        ``status`` (``ObligationStatus``) — all the counts of 履约 need. With ``history``
        (a closed period, ``today`` its last day) the status is judged against the due date
        the obligation had then (``as_then``), not one moved later."""
        qs = self.as_then(today) if history else self
        due = "due_then" if history else "due_on"
        met_on = Case(
            When(kind=ObligationKind.FUNDS, then=funds_met_on()),
            When(
                kind=ObligationKind.INVESTMENT,
                then=Subquery(_report_met().values("month")[:1], output_field=DateField()),
            ),
            When(kind=ObligationKind.STAGE, then=_stage_date()),
            When(
                kind=ObligationKind.SERVICE,
                then=Coalesce(
                    Subquery(_commitment_done().values("completed_on")[:1]),
                    F("confirmed_on"),
                    output_field=DateField(),
                ),
            ),
            default=F("confirmed_on"),
            output_field=DateField(),
        )
        return qs.annotate(met_on=met_on).annotate(
            status=Case(
                # As of ``today``: a waiver or a meeting dated after it has not happened yet
                # (a closed year's 履约 does not move when a late obligation is met later).
                When(waived_on__lte=today, then=Value(ObligationStatus.WAIVED)),
                When(
                    Q(met_on__lte=F(due)) & Q(met_on__lte=today),
                    then=Value(ObligationStatus.MET),
                ),
                When(met_on__lte=today, then=Value(ObligationStatus.MET_LATE)),
                When(Q(**{f"{due}__lt": today}), then=Value(ObligationStatus.MISSED)),
                default=Value(ObligationStatus.PENDING),
                output_field=CharField(),
            )
        )

    def late(self, today: datetime.date):
        """Obligations not met by their due date as of ``today`` (missed, or met late):
        each gets its breach recorded once (the daily scan). Status from ``with_met``, the
        one definition the agreement pages, the 履约 KPI and the scan read."""
        return self.with_met(today).filter(status__in=LATE)

    def late_past_due(self, today: datetime.date):
        """Of obligations due before ``today``, the late ones — exactly ``late(today)``'s
        (a status among them is missed or met late, never pending): not waived by today
        and not met by the due date (met by it implies met by today). The met date is
        computed once for each, not once for each branch of ``status`` (the daily scan's
        breaches)."""
        never = Value(datetime.date.max, output_field=DateField())
        unmet_by_due = GreaterThan(
            Coalesce(F("met_on"), never, output_field=DateField()), F("due_on")
        )
        # one condition, so the database judges it after the joins (a plain test of the
        # waiver first would read every obligation's row, even those the caller's joins
        # leave out, as its breach recorded)
        return self.with_met(today).filter(
            Case(
                When(waived_on__lte=today, then=Value(False)),
                default=unmet_by_due,
                output_field=BooleanField(),
            )
        )

    def missed(self, today: datetime.date):
        """Obligations past their due date and still unmet as of ``today``: a project
        with one does not perform its agreement (履约)."""
        return self.with_met(today).filter(status=ObligationStatus.MISSED)

    def with_status(self, today: datetime.date):
        """``with_met`` and: ``days_left`` (working days to the due date, in SQL),
        ``light``, ``current_value`` (funds in place or cumulative investment so far, for
        the fact kinds measured by a figure) and ``evidence_ref`` (the id of the stage
        event, monthly report or commitment the status rests on)."""
        current = Case(
            When(kind=ObligationKind.FUNDS, then=funds_to_date(today)),
            When(
                kind=ObligationKind.INVESTMENT,
                then=Subquery(
                    _latest_report().values("investment_cumulative")[:1], output_field=AMOUNT
                ),
            ),
            default=Value(None, output_field=AMOUNT),
            output_field=AMOUNT,
        )
        evidence = Case(
            When(
                kind=ObligationKind.STAGE,
                then=Subquery(_stage_events().values("pk")[:1], output_field=IntegerField()),
            ),
            When(
                kind=ObligationKind.INVESTMENT,
                then=Subquery(_report_met().values("pk")[:1], output_field=IntegerField()),
            ),
            When(
                kind=ObligationKind.SERVICE,
                then=Subquery(_commitment_done().values("pk")[:1], output_field=IntegerField()),
            ),
            default=Value(None, output_field=IntegerField()),
            output_field=IntegerField(),
        )
        return (
            self.with_met(today)
            .annotate(
                current_value=current,
                evidence_ref=evidence,
                days_left=days_left_expression("due_on", today),
            )
            .annotate(
                # The status's own conditions, each read once (a reference to ``status``
                # repeats its whole expression, ``met_on``'s subqueries with it): waived,
                # met or met late — no light; else missed — red; else pending.
                light=Case(
                    When(waived_on__lte=today, then=Value(Light.NONE)),
                    When(met_on__lte=today, then=Value(Light.NONE)),
                    When(due_on__lt=today, then=Value(Light.RED)),
                    When(days_left__lte=yellow_within("obligation"), then=Value(Light.YELLOW)),
                    default=Value(Light.GREEN),
                    output_field=CharField(),
                )
            )
        )


class BreachQuerySet(ProjectScopedQuerySet):
    """Breaches are visible with their project."""


# ---------------------------------------------------------------------------------------
# Commitments and milestones


# The one definition of a milestone kept (按期完成) and late, read by the commitment pages
# (``with_state``, ``with_progress``), the daily scan and its ledger entries and the
# quarterly bulletin's "commitments kept". A milestone always has a due date; done on its due day it is kept (the due day counts);
# done after it, or still open once its due day has passed, it is late — the owner
# department's ledger entry (missed milestone) says so once. The copies agreed.


def milestone_kept_q(prefix: str = ""):
    """SQL: a milestone done on or before its due date (kept, 按期完成)."""
    return Q(**{f"{prefix}done_on__isnull": False, f"{prefix}done_on__lte": F(f"{prefix}due_on")})


def milestone_missed_q(today: datetime.date, prefix: str = ""):
    """SQL: a milestone still open after its due date, as of ``today`` (missed so far)."""
    return Q(**{f"{prefix}done_on__isnull": True, f"{prefix}due_on__lt": today})


def milestone_late_q(today: datetime.date, prefix: str = ""):
    """SQL: a milestone not kept as of ``today``: done after its due date, or still open
    after it (the owner department's missed-milestone ledger entry)."""
    return milestone_missed_q(today, prefix) | Q(**{f"{prefix}done_on__gt": F(f"{prefix}due_on")})


def _milestone_state(today: datetime.date):
    return Case(
        When(milestone_kept_q(), then=Value(MilestoneState.DONE)),
        When(done_on__isnull=False, then=Value(MilestoneState.DONE_LATE)),
        When(milestone_missed_q(today), then=Value(MilestoneState.MISSED)),
        default=Value(MilestoneState.OPEN),
        output_field=CharField(),
    )


class CommitmentQuerySet(ProjectScopedQuerySet):
    """Commitments are visible with their project; the committing department acts on
    them (see permissions.py)."""

    def with_progress(self, today: datetime.date):
        """``milestones_total``, ``milestones_done``, ``milestones_missed`` (past due, not
        done), ``milestones_soon`` (open, due within the district's yellow window for
        milestones), ``next_due_on`` (the earliest open milestone's due date),
        ``progress`` (the mean of the milestones' progress) and ``light``: red with a
        missed milestone or past the target unfinished, yellow with a milestone or the
        target due within the window, green otherwise, none once completed."""
        from zhaoshang.agreements.models import Milestone

        def of_commitment():
            return Milestone.objects.filter(commitment=OuterRef("pk"))

        mean = (
            of_commitment()
            .order_by()
            .values("commitment")
            .annotate(mean=Avg("progress"))
            .values("mean")
        )
        return self.annotate(
            milestones_total=_count(of_commitment()),
            milestones_done=_count(of_commitment().filter(done_on__isnull=False)),
            milestones_missed=_count(of_commitment().filter(milestone_missed_q(today))),
            milestones_soon=_count(
                of_commitment()
                .filter(done_on__isnull=True, due_on__gte=today)
                .annotate(days_left=days_left_expression("due_on", today))
                .filter(days_left__lte=yellow_within(MILESTONE_SUBJECT, "commitment__district_id"))
            ),
            target_days_left=days_left_expression("target_on", today),
            yellow_workdays=yellow_within(MILESTONE_SUBJECT),
            next_due_on=Subquery(
                of_commitment()
                .filter(done_on__isnull=True)
                .order_by("due_on")
                .values("due_on")[:1],
                output_field=DateField(),
            ),
            progress=Coalesce(Subquery(mean, output_field=FloatField()), Value(0.0)),
        ).annotate(
            light=Case(
                When(completed_on__isnull=False, then=Value(Light.NONE)),
                When(Q(milestones_missed__gt=0) | Q(target_on__lt=today), then=Value(Light.RED)),
                When(
                    Q(milestones_soon__gt=0) | Q(target_days_left__lte=F("yellow_workdays")),
                    then=Value(Light.YELLOW),
                ),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )


class MilestoneQuerySet(ProjectScopedQuerySet):
    """Milestones are visible with their commitment's project."""

    project_path = "commitment__project"
    district_path = "commitment__district"

    def open(self):
        return self.filter(done_on__isnull=True)

    def due(self, until: datetime.date | None = None, since: datetime.date | None = None):
        """Milestones due on a day from ``since`` up to ``until`` when given."""
        qs = self
        if since is not None:
            qs = qs.filter(due_on__gte=since)
        if until is not None:
            qs = qs.filter(due_on__lte=until)
        return qs

    def kept(self):
        """Of these milestones, those kept (``milestone_kept_q``)."""
        return self.filter(milestone_kept_q())

    def missed(self, today: datetime.date):
        """Of these milestones, those still open after their due date."""
        return self.filter(milestone_missed_q(today))

    def late(self, today: datetime.date):
        """Of these milestones, those not kept as of ``today`` (``milestone_late_q``)."""
        return self.filter(milestone_late_q(today))

    def with_state(self, today: datetime.date):
        """``state`` (``MilestoneState``), ``days_left`` (working days to the due date,
        in SQL) and ``light`` (none once done)."""
        return self.annotate(
            state=_milestone_state(today), days_left=days_left_expression("due_on", today)
        ).annotate(
            light=Case(
                When(done_on__isnull=False, then=Value(Light.NONE)),
                When(milestone_missed_q(today), then=Value(Light.RED)),
                When(
                    days_left__lte=yellow_within(MILESTONE_SUBJECT, "commitment__district_id"),
                    then=Value(Light.YELLOW),
                ),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )


class ArchiveVersionQuerySet(ProjectScopedQuerySet):
    """Filed versions are visible with their project; they are never updated."""

    project_path = "commitment__project"

    def update(self, **kwargs):
        from zhaoshang.agreements.models import ImmutableRecord

        raise ImmutableRecord("A filed version never changes: file a new version.")


class ChangeRequestQuerySet(ProjectScopedQuerySet):
    """Change requests are visible with their commitment's project; the park committee
    and the supervision office decide them (see permissions.py)."""

    project_path = "commitment__project"
