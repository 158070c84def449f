"""An obligation's status is derived from the project's own records (funds in place, stage
dates, monthly reports, a commitment), the due date itself counting as on time; by hand
only where no record says it, with an evidence file. Today is 2026-06-15."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, ObligationStatus, Party
from zhaoshang.agreements.models import Obligation, ObligationBreach
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import day, pdf, standard_terms
from zhaoshang.core.lights import Light
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project, StageEvent

TODAY = day("2026-06-15")


def status_of(ob, today=TODAY):
    row = Obligation.objects.with_status(today).get(pk=ob.pk)
    return row.status, row.met_on, row.light


def funds(world, on: str, amount: str, project=None):
    return FundsEntry.objects.create(
        project=project or world.project1_a,
        received_on=day(on),
        amount=Decimal(amount),
        origin="in_city",
        use="fixed_assets",
        recorded_by=world.user_admin,
    )


@pytest.fixture
def schedule_row(world, make_agreement):
    """The investment schedule's row: 1,000 (10k yuan) in place by 2026-05-31."""
    agreement = make_agreement(schedule=[(day("2026-05-31"), Decimal("1000"))])
    return agreement.obligations.get(term="schedule")


def test_funds_reaching_the_target_on_the_due_date_is_met(world, schedule_row):
    funds(world, "2026-04-10", "400")
    funds(world, "2026-05-31", "600")
    assert status_of(schedule_row)[:2] == (ObligationStatus.MET, day("2026-05-31"))


def test_funds_reaching_the_target_the_day_after_is_met_late(world, schedule_row):
    funds(world, "2026-04-10", "400")
    funds(world, "2026-06-01", "600")
    assert status_of(schedule_row)[:2] == (ObligationStatus.MET_LATE, day("2026-06-01"))


def test_funds_short_of_the_target_after_the_due_date_are_missed(world, schedule_row):
    funds(world, "2026-04-10", "400")
    funds(world, "2026-06-10", "599.99")
    status, met_on, light = status_of(schedule_row)
    assert (status, met_on, light) == (ObligationStatus.MISSED, None, Light.RED)


def test_the_crossing_day_counts_every_entry_of_that_day(world, schedule_row):
    funds(world, "2026-05-20", "300")
    funds(world, "2026-05-20", "700")
    funds(world, "2026-06-02", "5000")
    assert status_of(schedule_row)[:2] == (ObligationStatus.MET, day("2026-05-20"))


def test_funds_of_another_project_do_not_count(world, schedule_row):
    funds(world, "2026-05-01", "5000", project=world.project2_a)
    assert status_of(schedule_row)[0] == ObligationStatus.MISSED


def test_on_the_due_date_an_unmet_obligation_is_pending_and_due_soon(world, make_agreement):
    agreement = make_agreement(schedule=[(TODAY, Decimal("1000"))])
    ob = agreement.obligations.get(term="schedule")
    assert status_of(ob) == (ObligationStatus.PENDING, None, Light.YELLOW)
    # the next day it is missed
    assert status_of(ob, TODAY + datetime.timedelta(days=1))[0] == ObligationStatus.MISSED


def test_a_pending_obligation_far_from_its_due_date_is_green(world, make_agreement):
    ob = make_agreement().obligations.get(term="start")
    assert status_of(ob) == (ObligationStatus.PENDING, None, Light.GREEN)


def _start(world, on: str):
    Project.objects.filter(pk=world.project1_a.pk).update(stage="started", started_on=day(on))
    return StageEvent.objects.create(
        project=world.project1_a,
        from_stage="signed",
        to_stage="started",
        occurred_on=day(on),
        recorded_by=world.user_admin,
    )


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        ("2026-06-10", ObligationStatus.MET),  # the agreed day itself
        ("2026-06-09", ObligationStatus.MET),
        ("2026-06-11", ObligationStatus.MET_LATE),
        (None, ObligationStatus.MISSED),
    ],
)
def test_start_of_construction_follows_the_projects_start_date(
    world, make_agreement, started, expected
):
    agreement = make_agreement(terms=standard_terms(start_by=day("2026-06-10")))
    ob = agreement.obligations.get(term="start")
    event = _start(world, started) if started else None
    status, met_on, _light = status_of(ob)
    assert status == expected
    assert met_on == (day(started) if started else None)
    row = Obligation.objects.with_status(TODAY).get(pk=ob.pk)
    assert row.evidence_ref == (event.pk if event else None)


def test_investment_completed_follows_the_monthly_reports(world, make_agreement):
    agreement = make_agreement()
    ob = services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.ENTERPRISE,
        kind=ObligationKind.INVESTMENT,
        title="上半年完成投资",
        target_amount=Decimal("500"),
        due_on=day("2026-05-31"),
    )

    def report(month: str, cumulative: str):
        return MonthlyReport.objects.create(
            project=world.project1_a,
            month=day(month),
            investment_this_month=Decimal("1"),
            investment_cumulative=Decimal(cumulative),
            image_progress="进度",
            submitted_by=world.user_admin,
            submitted_at=timezone.now(),
        )

    report("2026-04-01", "300")
    assert status_of(ob)[0] == ObligationStatus.MISSED
    june = report("2026-06-01", "800")
    assert status_of(ob)[:2] == (ObligationStatus.MET_LATE, day("2026-06-01"))
    may = report("2026-05-01", "500")  # the report of the due date's month
    assert status_of(ob)[:2] == (ObligationStatus.MET, day("2026-05-01"))
    row = Obligation.objects.with_status(TODAY).get(pk=ob.pk)
    assert row.evidence_ref == may.pk and row.current_value == june.investment_cumulative


def test_a_term_no_record_measures_is_confirmed_with_evidence(world, make_agreement):
    agreement = make_agreement(terms=standard_terms(jobs=120, jobs_by=day("2026-06-12")))
    ob = agreement.obligations.get(term="jobs")
    assert status_of(ob)[0] == ObligationStatus.MISSED
    services.confirm_obligation(
        world.user_secretary, ob, met_on=day("2026-06-12"), evidence=pdf("社保缴纳证明.pdf")
    )
    ob.refresh_from_db()
    assert status_of(ob)[:2] == (ObligationStatus.MET, day("2026-06-12"))
    assert ob.evidence_name == "社保缴纳证明.pdf" and len(ob.evidence_sha256) == 64
    assert ob.confirmed_by == world.user_secretary
    assert not ObligationBreach.objects.filter(obligation=ob).exists()


def test_confirmed_after_the_due_date_is_met_late_and_recorded_as_a_breach(world, make_agreement):
    agreement = make_agreement(terms=standard_terms(jobs=120, jobs_by=day("2026-06-12")))
    ob = agreement.obligations.get(term="jobs")
    services.confirm_obligation(
        world.user_bureau, ob, met_on=day("2026-06-13"), evidence=pdf(), note="晚一天"
    )
    assert status_of(ob)[0] == ObligationStatus.MET_LATE
    breach = ObligationBreach.objects.get(obligation=ob)
    assert breach.party == Party.ENTERPRISE and breach.enterprise == world.enterprise1_a


def test_what_a_record_measures_is_not_confirmed_by_hand(world, make_agreement):
    ob = make_agreement().obligations.get(term="start")
    with pytest.raises(ValidationError, match="stage dates"):
        services.confirm_obligation(world.user_bureau, ob, met_on=TODAY, evidence=pdf())
    ob.refresh_from_db()
    assert ob.confirmed_on is None and not ob.evidence


def test_a_service_is_met_when_the_commitment_fulfilling_it_is_completed(
    world, make_agreement, make_commitment
):
    agreement = make_agreement()
    ob = services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_works_a,
        kind=ObligationKind.SERVICE,
        title="核发施工许可证",
        target_text="施工许可证核发到企业",
        due_on=day("2026-06-12"),
    )
    commitment = make_commitment(
        obligation=ob,
        start_on=day("2026-05-04"),
        target_on=day("2026-06-12"),
        steps=[Step("受理", 2), Step("发证", 3)],
    )
    assert status_of(ob)[0] == ObligationStatus.MISSED
    first, last = commitment.milestones.order_by("seq")
    services.report_progress(world.user_department, first, progress=100, done_on=day("2026-06-05"))
    assert status_of(ob)[0] == ObligationStatus.MISSED  # not completed yet
    services.report_progress(world.user_department, last, progress=100, done_on=day("2026-06-12"))
    assert status_of(ob)[:2] == (ObligationStatus.MET, day("2026-06-12"))
    row = Obligation.objects.with_status(TODAY).get(pk=ob.pk)
    assert row.evidence_ref == commitment.pk
    # a service a commitment fulfils is not confirmed by hand
    with pytest.raises(ValidationError, match="commitment"):
        services.confirm_obligation(world.user_department, ob, met_on=TODAY, evidence=pdf())


def test_a_waived_obligation_is_neither_met_nor_missed(world, make_agreement):
    agreement = make_agreement(schedule=[(day("2026-05-31"), Decimal("1000"))])
    ob = agreement.obligations.get(term="schedule")
    services.waive_obligation(world.user_bureau, ob, reason="补充协议调整投资进度")
    assert status_of(ob) == (ObligationStatus.WAIVED, None, Light.NONE)


def test_the_obligation_page_shows_the_status_and_the_evidence(world, client_for, schedule_row):
    funds(world, "2026-04-10", "400")
    funds(world, "2026-05-31", "600")
    response = client_for("leader").get(f"/agreements/obligations/{schedule_row.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="met"' in html and 'data-evidence="funds"' in html
    assert "2026-05-31 +600" in html


@pytest.mark.parametrize("paid", [None, "2026-05-31", "2026-06-01"])
@pytest.mark.parametrize(
    "today", ["2026-05-20", "2026-05-29", "2026-05-31", "2026-06-01", "2026-06-02", "2026-06-15"]
)
def test_the_light_is_the_one_the_status_gives(world, schedule_row, paid, today):
    """The light reads the status's own conditions once (each reference to ``status``
    repeated its subqueries): red when missed, none when met, met late or waived, else by
    the working days left — on each day around the due date, paid on it, a day late or
    never."""
    from zhaoshang.core.lights import light_for_days_left, yellow_workdays

    if paid:
        funds(world, "2026-04-10", "400")
        funds(world, paid, "600")
    row = Obligation.objects.with_status(day(today)).get(pk=schedule_row.pk)
    if row.status == ObligationStatus.MISSED:
        expected = Light.RED
    elif row.status != ObligationStatus.PENDING:
        expected = Light.NONE
    else:
        window = yellow_workdays(row.district_id, "obligation")
        expected = light_for_days_left(row.days_left, window)
    assert row.light == expected
