"""A project performs its agreement (履约) while none of its obligations is missed; 履约率
counts such projects over the projects; the share of obligations met on time counts the
obligations decided (met, met late, missed) — all as SQL annotations the KPIs can use
(SPEC §8, §12)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.agreements import services
from zhaoshang.agreements.models import Agreement
from zhaoshang.agreements.querysets import performance_summary, with_performance
from zhaoshang.agreements.tests.conftest import day, pdf, standard_terms
from zhaoshang.projects.models import FundsEntry, Project

TODAY = day("2026-06-15")


def funds(world, project, on: str, amount: str):
    FundsEntry.objects.create(
        project=project,
        received_on=day(on),
        amount=Decimal(amount),
        origin="in_city",
        use="fixed_assets",
        recorded_by=world.user_admin,
    )


def test_performing_while_nothing_is_missed(world, make_agreement):
    make_agreement(
        terms=standard_terms(jobs=50, jobs_by=day("2026-06-01")),
        schedule=[(day("2026-05-31"), Decimal("1000")), (day("2026-12-31"), Decimal("5000"))],
    )
    project = with_performance(Project.objects.filter(pk=world.project1_a.pk), TODAY).get()
    # the schedule row of 05-31 and the jobs of 06-01 are missed
    assert (project.has_agreement, project.is_performing) == (True, False)
    assert (project.obligations_missed, project.obligations_decided) == (2, 2)
    assert project.on_time_share == 0.0

    funds(world, world.project1_a, "2026-05-30", "1000")
    agreement = Agreement.objects.get(project=world.project1_a)
    jobs = agreement.obligations.get(term="jobs")
    services.confirm_obligation(world.user_bureau, jobs, met_on=day("2026-06-03"), evidence=pdf())
    project = with_performance(Project.objects.filter(pk=world.project1_a.pk), TODAY).get()
    # met on time, and met late: performing again, half on time
    assert project.is_performing is True
    assert (project.obligations_met_on_time, project.obligations_decided) == (1, 2)
    assert project.on_time_share == 0.5
    assert project.obligations_total == agreement.obligations.count()


def test_a_waived_obligation_does_not_count(world, make_agreement):
    agreement = make_agreement(schedule=[(day("2026-05-31"), Decimal("1000"))])
    services.waive_obligation(
        world.user_bureau, agreement.obligations.get(term="schedule"), reason="补充协议"
    )
    row = Agreement.objects.with_performance(TODAY).get(pk=agreement.pk)
    assert (row.is_performing, row.obligations_decided, row.on_time_share) == (True, 0, None)


def test_without_an_agreement_the_performance_is_unknown(world):
    project = with_performance(Project.objects.filter(pk=world.project1_a.pk), TODAY).get()
    assert (project.has_agreement, project.is_performing) == (False, None)


def test_the_performance_rate_over_projects(world, make_agreement):
    make_agreement(world.project1_a, schedule=[(day("2026-12-31"), Decimal("5000"))])
    make_agreement(world.project2_a, schedule=[(day("2026-05-31"), Decimal("500"))])
    funds(world, world.project2_a, "2026-05-31", "500")
    make_agreement(world.project1_b, schedule=[(day("2026-04-30"), Decimal("500"))])
    projects = Project.objects.filter(
        pk__in=[world.project1_a.pk, world.project2_a.pk, world.project1_b.pk]
    )
    summary = performance_summary(projects, TODAY)
    assert summary["projects"] == 3 and summary["with_agreement"] == 3
    assert summary["performing"] == 2  # project1_b missed its 04-30 row
    assert summary["performance_rate"] == 2 / 3
    assert (summary["met_on_time"], summary["decided"]) == (1, 2)
    assert summary["on_time_share"] == 0.5
    district_a = performance_summary(projects.filter(district=world.district_a), TODAY)
    assert district_a["performance_rate"] == 1.0


def test_the_annotations_cost_one_query_however_many_projects(world, make_agreement):
    make_agreement(world.project1_a)
    make_agreement(world.project2_a)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(with_performance(Project.objects.all(), TODAY))
    # one for today's working-day number, one for the projects
    assert len(ctx.captured_queries) <= 2
    assert sum(1 for p in rows if p.has_agreement) == 2


FIGURES = (
    "obligations_total",
    "obligations_missed",
    "obligations_met_on_time",
    "obligations_decided",
    "is_performing",
    "on_time_share",
)


def test_the_figures_set_on_a_page_are_the_databases(world, make_agreement):
    """``attach_performance`` (the API's page: the obligations' statuses read once and
    counted) gives every figure ``with_performance`` computes in SQL, on days before, at and
    after the due dates, with a waiver, a confirmation met late and funds met on time, in
    one query for the page."""
    from zhaoshang.agreements.querysets import attach_performance

    make_agreement(
        world.project1_a,
        terms=standard_terms(jobs=50, jobs_by=day("2026-06-01")),
        schedule=[(day("2026-05-31"), Decimal("1000")), (day("2026-12-31"), Decimal("5000"))],
    )
    make_agreement(world.project2_a, schedule=[(day("2026-05-31"), Decimal("500"))])
    funds(world, world.project2_a, "2026-05-31", "500")
    waived = make_agreement(world.project1_b, schedule=[(day("2026-04-30"), Decimal("500"))])
    services.waive_obligation(
        world.user_bureau_b, waived.obligations.get(term="schedule"), reason="补充协议"
    )
    jobs = Agreement.objects.get(project=world.project1_a).obligations.get(term="jobs")
    services.confirm_obligation(world.user_bureau, jobs, met_on=day("2026-06-03"), evidence=pdf())
    seen = set()
    for today in (day("2026-01-10"), TODAY, day("2027-02-01")):
        in_sql = {
            a.pk: tuple(getattr(a, f) for f in FIGURES)
            for a in Agreement.objects.with_performance(today)
        }
        with CaptureQueriesContext(connection) as ctx:
            page = attach_performance(Agreement.objects.order_by("pk"), today)
        assert len(ctx.captured_queries) <= 3  # the page, today's working day, the statuses
        counted = {a.pk: tuple(getattr(a, f) for f in FIGURES) for a in page}
        assert counted == in_sql, today
        seen.update(counted.values())
    assert len(seen) >= 4  # the days and agreements differ
    assert attach_performance([], TODAY) == []
