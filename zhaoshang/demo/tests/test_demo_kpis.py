"""The demo city's targets and KPIs (SPEC §12, §18): targets for last year and this year for
the demo district, its working groups and four departments, the second district's for this
year; every KPI of the demo district for this year equals what plain Python counts over its
projects (the district, and one park of it); the pages and the API answer for the demo
accounts."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.urls import reverse

from zhaoshang.agreements.choices import ObligationStatus
from zhaoshang.agreements.models import Agreement, Obligation
from zhaoshang.approvals.choices import Party
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.demo.kpis import kpi_counts
from zhaoshang.kpis import services
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.org.models import District, User
from zhaoshang.projects.models import FundsEntry, Project


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def _rate(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _on_time(case: ApprovalCase) -> bool:
    """按时办结 for the department holding the case (approvals/querysets.py ``on_time_q``,
    SPEC §20 "Whose days"): done by its due date (the promise), or without one, or late only
    by another party's days — the lateness recorded on the case (``late_party``,
    ``late_department``) as belonging to someone other than the holding department."""
    if case.due_on is None or case.done_on <= case.due_on:
        return True
    holder_answers = case.late_party == "" or (
        case.late_party == Party.DEPARTMENT and case.late_department_id == case.department_id
    )
    return not holder_answers


def _expected(projects: list[Project], year: int, today) -> dict:
    """Every KPI of SPEC §12 counted in Python over the projects signed in ``year``, as
    reached by the year's end or today, whichever is earlier."""
    today = min(today, datetime.date(year, 12, 31))
    cohort = [p for p in projects if p.signed_on and p.signed_on.year == year]
    ids = {p.pk for p in cohort}

    def reached(field):
        return [p for p in cohort if getattr(p, field) and getattr(p, field) <= today]

    production = reached("production_on")
    at_capacity = [p for p in production if p.capacity_on and p.capacity_on <= today]
    agreements = {a.project_id: a for a in Agreement.objects.filter(project_id__in=ids)}
    missed = {
        o.agreement.project_id
        for o in Obligation.objects.filter(agreement__project_id__in=ids)
        .with_met(today)
        .select_related("agreement")
        if o.status == ObligationStatus.MISSED
    }
    performing = [p for p in cohort if p.pk in agreements and p.pk not in missed]
    funds = sum(
        (
            f.amount
            for f in FundsEntry.objects.filter(project_id__in=set(agreements))
            if f.received_on <= today
        ),
        Decimal("0"),
    )
    contracted = sum((a.contracted_investment for a in agreements.values()), Decimal("0"))
    done = [
        c
        for c in ApprovalCase.objects.filter(project_id__in=ids)
        if c.status == "done" and c.done_on and c.done_on <= today
    ]
    on_time = [c for c in done if _on_time(c)]
    signed = len(cohort)
    return {
        "signed_count": signed,
        "signed_investment": sum((p.total_investment for p in cohort), Decimal("0")),
        "registered_rate": _rate(len(reached("registered_on")), signed),
        "start_rate": _rate(len(reached("started_on")), signed),
        "production_rate": _rate(len(production), signed),
        "capacity_rate": _rate(len(at_capacity), len(production)),
        "performance_rate": _rate(len(performing), signed),
        "funds_in_place_rate": _rate(funds, contracted),
        "on_time_rate": _rate(len(on_time), len(done)),
    }


def test_targets_for_two_years_for_the_district_its_groups_and_departments(today):
    demo = AnnualTarget.objects.filter(district=_district())
    assert set(demo.values_list("year", flat=True)) == {today.year - 1, today.year}
    for year in (today.year - 1, today.year):
        of_year = demo.filter(year=year)
        own = of_year.get(working_group=None, department=None)
        assert [(n, c) for n, _m, c in own.tiers] == [(1, 3), (2, 6), (3, 9)]
        assert of_year.filter(working_group__isnull=False).count() >= 2
        assert of_year.filter(department__isnull=False).count() == 4
        for target in of_year:
            assert target.signed_investment > 0 and target.funds_in_place > 0
            mins = [m for _n, m, _c in target.tiers]
            assert mins == sorted(mins, reverse=True)
    second = AnnualTarget.objects.filter(district=_district(SECOND_CODE))
    assert list(second.values_list("year", flat=True)) == [today.year]
    ids = [_district().pk, _district(SECOND_CODE).pk]
    assert kpi_counts(ids)["annual targets"] == demo.count() + 1


def test_target_progress_is_derived_from_the_projects(today):
    own = (
        AnnualTarget.objects.filter(
            district=_district(), year=today.year, working_group=None, department=None
        )
        .with_progress(today)
        .get()
    )
    signed = Project.objects.filter(district=_district(), signed_on__year=today.year)
    assert own.signed_count == signed.count() > 0
    assert own.signed_investment_done == sum(p.total_investment for p in signed)


@pytest.mark.parametrize("by_park", [False, True])
def test_every_kpi_of_the_demo_district_this_year(today, by_park):
    projects = Project.objects.filter(district=_district())
    if by_park:
        park = projects.filter(signed_on__year=today.year).order_by("id").first().park
        projects = projects.filter(park=park)
    expected = _expected(list(projects), today.year, today)
    assert expected["signed_count"] >= (1 if by_park else 10)
    got = services.compute(projects, today.year).as_dict()
    assert got == expected
    if not by_park:
        # Not a world of zeros. (Nothing signed this year is in production yet, so 达产率
        # has no denominator here: kpis/tests/test_compute.py checks it by hand.)
        for name in set(services.RATE_NAMES) - {"capacity_rate"}:
            assert got[name] is not None and 0 <= got[name] <= 1, name


def test_every_kpi_of_the_demo_district_last_year(today):
    projects = Project.objects.filter(district=_district())
    expected = _expected(list(projects), today.year - 1, today)
    got = services.compute(projects, today.year - 1).as_dict()
    assert got == expected
    assert got["signed_count"] >= 10


def test_the_pages_and_the_api_answer_for_the_demo_accounts(today):
    for username in ("bureau", "leader", "supervisor", "city"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in (
            reverse("kpis:index"),
            reverse("kpis:compare"),
            reverse("kpis:targets"),
            reverse("kpis:drill") + "?kpi=start_rate&part=numerator",
            "/api/v1/kpis/",
        ):
            assert client.get(url).status_code == 200, (username, url)
    client = Client()
    client.force_login(User.objects.get(username="city"))
    rows = client.get(reverse("kpis:compare")).context["rows"]
    assert {DEMO_CODE, SECOND_CODE} <= {row["district"].code for row in rows}


def test_the_charts_show_last_year_and_the_targets(today):
    """The KPI charts of the demo district: this year and last year signed and received
    money (同比 has a base), the year's targets draw their pro rata line and the "369" tiers,
    and every month up to today has its KPIs."""
    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    response = client.get(reverse("kpis:charts"))
    assert response.status_code == 200
    for chart in response.context["amounts"]:
        this, last, this_cum, last_cum, target = (
            [p["value"] if isinstance(p, dict) else p for p in s["data"]]
            for s in chart.option["series"]
        )
        assert this_cum[today.month - 1] > 0 and last_cum[-1] > 0, chart.key
        assert target[-1] > 0, chart.key
    assert response.context["tiers"] is not None
    trends = client.get(reverse("kpis:trends")).context["trends"]
    assert len(trends[0].option["xAxis"]["data"]) == today.month
    client.force_login(User.objects.get(username="city"))
    assert client.get(reverse("kpis:charts")).status_code == 200
