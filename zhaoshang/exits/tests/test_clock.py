"""The exit clock (issue 16, points 1 and 2): the due date is the agreement's own date when
it has one, else the rule's (land delivery plus the months, month ends clamped), and no
warning comes before it; a signed project without land is caught by the government's own
rule (签约未供地), which asks nothing of the enterprise; while a government blocker is open
the clock is held, it runs again when the blocker ends, several intervals add up and
overlapping ones count once. Dates worked out by hand on the 2025/2026 arrangements: 元旦
1–3 January 2026 (Sunday 4 January worked), May Day 1–5 May 2026 (Saturday 9 May worked),
端午 19 June 2026."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from zhaoshang.agreements.models import Agreement, Commitment, Milestone, Obligation
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.exits import services
from zhaoshang.exits.choices import DueSource, RuleCode, WarningStatus
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.tests.factories import deliver, pdf, rule
from zhaoshang.service.models import Need

D = datetime.date
pytestmark = pytest.mark.usefixtures("english")


def _agreement(world, project, **terms):
    """An agreement of ``project`` signed 2026-01-20 with the enterprise's terms given as
    term=due date (start, production, tax …)."""
    agreement = Agreement.objects.create(
        district=project.district,
        project=project,
        number=f"XY-{project.pk}",
        signed_on=D(2026, 1, 20),
        government_party="区政府",
        enterprise_party="企业",
        contracted_investment=Decimal("50000"),
        created_by=world.user_bureau,
    )
    kinds = {"start": ("stage", "started"), "production": ("stage", "production")}
    for term, due_on in terms.items():
        kind, stage = kinds.get(term, (term, ""))
        Obligation.objects.create(
            district=project.district,
            agreement=agreement,
            term=term,
            party="enterprise",
            kind=kind,
            title="",
            target_stage=stage,
            target_amount=None if stage else Decimal("100"),
            due_on=due_on,
        )
    return agreement


def _case(world, due_on, done_on=None, case=None):
    case = case or world.case_a  # project1_a, held by 建设局
    case.due_on, case.done_on = due_on, done_on
    case.status = CaseStatus.DONE if done_on else CaseStatus.IN_PROGRESS
    case.save()
    return case


def _milestone(world, due_on, done_on=None):
    commitment = Commitment.objects.create(
        district=world.district_a,
        project=world.project1_a,
        department=world.dept_land_a,
        title="办理不动产权证",
        content="交地后办理产权证",
        start_on=D(2026, 2, 10),
        target_on=D(2026, 6, 30),
        created_by=world.user_bureau,
    )
    return Milestone.objects.create(
        commitment=commitment,
        seq=1,
        name="节点1",
        duration_workdays=5,
        planned_start_on=D(2026, 2, 10),
        due_on=due_on,
        done_on=done_on,
        owner_department=world.dept_land_a,
    )


def _warning(project, code=RuleCode.NOT_STARTED):
    return ExitWarning.objects.filter(project=project, rule__code=code).first()


# -- point 1: the contract's dates -------------------------------------------------------


def test_a_contract_date_later_than_the_default_defers_the_warning(world):
    # Land 2026-02-10: the default would be due 2026-05-10; the agreement says start by
    # 2026-07-31. No warning before that date; the day after, one, due 7-31 by the contract.
    project = deliver(world.project1_a)
    _agreement(world, project, start=D(2026, 7, 31))
    assert services.scan()["raised"] == 0  # today 2026-06-15
    assert services.scan(D(2026, 7, 31))["raised"] == 0
    assert services.scan(D(2026, 8, 1))["raised"] == 1
    warning = _warning(project)
    assert warning.due_source == DueSource.CONTRACT
    assert (warning.anchor_on, warning.due_on) == (D(2026, 1, 20), D(2026, 7, 31))
    assert warning.effective_due_on == D(2026, 7, 31) and warning.delay_workdays == 0


def test_the_benefit_date_is_the_last_benefit_term(world):
    # Land 2023-01-10, started and producing: the default 三年不见效 is due 2026-01-10; the
    # agreement's tax term is due 2026-03-31 and its intensity term 2026-09-30: the rule
    # fails only once the last of them is due.
    project = deliver(
        world.project1_a, D(2023, 1, 10), started_on=D(2023, 3, 1), production_on=D(2024, 6, 1)
    )
    project.fixed_asset_investment = Decimal("1000")  # 5 per mu on 200 mu: short of 100
    project.save()
    _agreement(world, project, tax=D(2026, 3, 31), intensity=D(2026, 9, 30))
    services.scan(D(2026, 9, 30))
    assert _warning(project, RuleCode.NO_BENEFIT) is None
    services.scan(D(2026, 10, 1))
    warning = _warning(project, RuleCode.NO_BENEFIT)
    assert (warning.due_source, warning.due_on) == (DueSource.CONTRACT, D(2026, 9, 30))


def test_without_a_contract_date_the_default_rule_and_a_year_boundary(world):
    # Land 2025-10-31 + 3 months → 2026-01-31 (a Saturday). An approval case overdue from
    # 2025-12-29, done 2026-01-06: held 12-30, 12-31, 1-4 (a Sunday worked), 1-5, 1-6 = 5
    # working days; due 5 working days after 1-31: 2-2 … 2-6 → 2026-02-06.
    project = deliver(world.project1_a, D(2025, 10, 31))
    _agreement(world, project, production=D(2027, 12, 31))  # no start term: the default
    _case(world, D(2025, 12, 29), D(2026, 1, 6))
    assert services.scan(D(2026, 2, 6))["raised"] == 0
    assert services.scan(D(2026, 2, 7))["raised"] == 1
    warning = _warning(project)
    assert warning.due_source == DueSource.RULE
    assert (warning.anchor_on, warning.due_on) == (D(2025, 10, 31), D(2026, 1, 31))
    assert warning.effective_due_on == D(2026, 2, 6) and warning.delay_workdays == 5
    [cause] = warning.delay_causes
    assert (cause["kind"], cause["start"], cause["end"], cause["workdays"]) == (
        "case",
        "2025-12-29",
        "2026-01-06",
        5,
    )
    assert cause["url"] == world.case_a.get_absolute_url()


def test_a_project_without_land_is_the_governments_own_warning(world, client):
    # project1_a was signed 2026-03-02 and never got land: 签约未供地 is due 6 months after
    # signing, 2026-09-02; no enterprise rule is raised for it (nor for project1_b, the
    # same in district b).
    project = world.project1_a
    assert services.scan(D(2026, 9, 2))["raised"] == 0
    assert services.scan(D(2026, 9, 3))["raised"] == 2
    warning = _warning(project, RuleCode.NO_LAND)
    assert warning.rule.is_government
    assert (warning.anchor_on, warning.due_on) == (D(2026, 3, 2), D(2026, 9, 2))
    assert set(
        ExitWarning.objects.filter(project=project).values_list("rule__code", flat=True)
    ) == {RuleCode.NO_LAND}
    # No step against the enterprise, no attribution.
    with pytest.raises(ValidationError) as exc:
        services.issue_notice(
            world.user_supervisor, warning, deadline=D(2026, 10, 1), document=pdf()
        )
    assert "government's delay" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.confirm_delay(world.user_supervisor, warning, reason="x")
    client.force_login(world.user_supervisor)
    page = client.get(warning.get_absolute_url()).content.decode()
    assert 'data-testid="government"' in page
    assert f"{warning.get_absolute_url()}notice/" not in page
    # The land arrives: the next scan closes it.
    deliver(project, D(2026, 9, 20))
    assert services.scan(D(2026, 9, 21))["cleared"] == 1


def test_the_agreed_land_date_and_the_land_interval(world):
    # The agreement owes the land by 2026-04-30 (the land bureau's obligation) and the
    # enterprise's start by 2026-05-29. No land by 4-30: 签约未供地 is due then, raised on
    # 5-01. The land is delivered on 2026-05-20: the enterprise's clock was held from 4-30
    # (the land owed, and the department's obligation missed, one interval): 5-6 … 5-9 (4),
    # 5-11 … 5-15 (9), 5-18, 5-19, 5-20 (12). Start due 12 working days after 5-29:
    # 6-1 … 6-5 (5), 6-8 … 6-12 (10), 6-15, 6-16 → 2026-06-16.
    project = world.project1_a
    agreement = _agreement(world, project, start=D(2026, 5, 29))
    Obligation.objects.create(
        district=project.district,
        agreement=agreement,
        party="department",
        department=world.dept_land_a,
        kind="stage",
        title="交付土地",
        target_stage="land_delivered",
        due_on=D(2026, 4, 30),
    )
    assert services.scan(D(2026, 4, 30))["raised"] == 0
    assert services.scan(D(2026, 5, 1))["raised"] == 1
    land = _warning(project, RuleCode.NO_LAND)
    assert (land.due_source, land.due_on) == (DueSource.CONTRACT, D(2026, 4, 30))
    deliver(project, D(2026, 5, 20))
    assert services.scan(D(2026, 6, 16))["raised"] == 0
    assert services.scan(D(2026, 6, 17))["raised"] == 1
    warning = _warning(project)
    assert (warning.due_on, warning.effective_due_on) == (D(2026, 5, 29), D(2026, 6, 16))
    assert warning.delay_workdays == 12
    assert {c["kind"] for c in warning.delay_causes} == {"land", "obligation"}


# -- point 2: the held intervals ---------------------------------------------------------


def test_two_overlapping_blockers_count_once(world):
    # Land 2026-02-10: due 2026-05-10. A case overdue 4-28 → done 5-8 (4-29, 4-30, 5-6,
    # 5-7, 5-8: 5) and a milestone overdue 5-4 → done 5-12 (5-6 … 5-9, 5-11, 5-12: 6)
    # overlap: together 4-29, 4-30, 5-6 … 5-9, 5-11, 5-12 = 8, not 11. Due 8 working days
    # after 5-10: 5-11 … 5-15 (5), 5-18, 5-19, 5-20 → 2026-05-20.
    project = deliver(world.project1_a)
    _case(world, D(2026, 4, 28), D(2026, 5, 8))
    _milestone(world, D(2026, 5, 4), D(2026, 5, 12))
    services.scan(D(2026, 5, 20))
    assert _warning(project) is None
    services.scan(D(2026, 5, 21))
    warning = _warning(project)
    assert warning.effective_due_on == D(2026, 5, 20) and warning.delay_workdays == 8
    assert [c["workdays"] for c in warning.delay_causes] == [5, 6]


def test_a_delay_that_outlasts_its_first_attribution(world, _frozen_time):
    # Land 2026-02-10: due 2026-05-10. A case overdue from 4-28 is done only on 5-29.
    project = deliver(world.project1_a)
    case = _case(world, D(2026, 4, 28), None)
    rule_ = rule(project.district)
    # On 5-20 the clock is held (since 4-28): 4-29, 4-30, 5-6 … 5-9, 5-11 … 5-15, 5-18,
    # 5-19, 5-20 = 14 working days so far; the officer confirms that much.
    _frozen_time.move_to(datetime.datetime(2026, 5, 20, 10))
    assert services.scan()["raised"] == 0
    warning = services.raise_warning(project, rule_)  # raised by hand, say
    assert warning.held_since == D(2026, 4, 28) and warning.delay_workdays == 14
    warning = services.confirm_delay(world.user_supervisor, warning, reason="施工许可超期")
    assert warning.status == WarningStatus.EXCLUDED and warning.delay_workdays == 14
    # The delay goes on: on 5-28 it is 14 + 5-21, 5-22, 5-25 … 5-28 = 20 working days and
    # the clock is still held.
    assert services.scan(D(2026, 5, 28))["reopened"] == 0
    warning.refresh_from_db()
    assert warning.delay_workdays == 20 and warning.held_since == D(2026, 4, 28)
    # The case is done on 5-29: held 4-29 … 5-29, 21 working days; due 21 working days
    # after 5-10: 5-11 … 6-5 (20), 6-8 → 2026-06-08. It runs again and then counts.
    _case(world, D(2026, 4, 28), D(2026, 5, 29), case=case)
    assert services.scan(D(2026, 6, 8))["reopened"] == 0
    warning.refresh_from_db()
    assert warning.held_since is None and warning.effective_due_on == D(2026, 6, 8)
    assert services.scan(D(2026, 6, 9))["reopened"] == 1
    warning.refresh_from_db()
    assert warning.status == WarningStatus.WARNING and warning.delay_workdays == 21
    assert warning.delay_confirmed_on == D(2026, 5, 20)  # the confirmation stands


def test_intervals_over_the_projects_life_add_up_and_a_problem_holds_the_clock(world):
    # Land 2026-02-10: due 2026-05-10. A problem assigned to the land bureau, raised 3-2 and
    # solved 3-6 (3-3 … 3-6: 4), and a case overdue 4-28, done 5-8 (5): 9 working days.
    # Due 9 working days after 5-10: 5-11 … 5-15 (5), 5-18 … 5-21 → 2026-05-21.
    project = deliver(world.project1_a)
    Need.objects.create(
        district=world.district_a,
        number="WT-1",
        project=project,
        raised_by=world.user_bureau,
        raised_on=D(2026, 3, 2),
        category="land",
        title="场平未完成",
        description="场地未平整",
        department=world.dept_land_a,
        due_workdays=5,
        due_on=D(2026, 3, 9),
        status="resolved",
        resolved_on=D(2026, 3, 6),
    )
    _case(world, D(2026, 4, 28), D(2026, 5, 8))
    services.scan(D(2026, 5, 21))
    assert _warning(project) is None
    services.scan(D(2026, 5, 22))
    warning = _warning(project)
    assert warning.effective_due_on == D(2026, 5, 21) and warning.delay_workdays == 9
    assert [c["kind"] for c in warning.delay_causes] == ["problem", "case"]


def test_a_blocker_opened_after_the_due_date_does_not_move_it(world):
    project = deliver(world.project1_a)  # due 2026-05-10
    _case(world, D(2026, 5, 20), None)
    services.scan()
    warning = _warning(project)
    assert warning.status == WarningStatus.WARNING
    assert warning.effective_due_on == D(2026, 5, 10) and warning.held_since is None


def test_the_land_clean_up_reads_the_same_clock(world):
    # 两年不投产 for land delivered 2024-02-29: due 2026-02-28 by the rule; the agreement
    # says production by 2026-09-30: not due today, due the day after.
    project = deliver(world.project1_a, D(2024, 2, 29), started_on=D(2024, 5, 6))
    services.ensure_default_rules(project.district)
    clocks = services.rule_clocks(project.district_id, RuleCode.NOT_PRODUCING, D(2026, 6, 15))
    assert clocks[project.pk].is_due(D(2026, 6, 15))
    _agreement(world, project, production=D(2026, 9, 30))
    clocks = services.rule_clocks(project.district_id, RuleCode.NOT_PRODUCING, D(2026, 10, 1))
    assert clocks[project.pk].due_on == D(2026, 9, 30)
    assert clocks[project.pk].is_due(D(2026, 10, 1))
    assert not clocks[project.pk].is_due(D(2026, 9, 30))


def test_the_intervals_on_the_page_the_api_and_the_export(world, client_for):
    # As test_two_overlapping_blockers_count_once: due 5-10, held 8, due 5-20, two causes.
    project = deliver(world.project1_a)
    _case(world, D(2026, 4, 28), D(2026, 5, 8))
    milestone = _milestone(world, D(2026, 5, 4), D(2026, 5, 12))
    services.scan()
    warning = _warning(project)
    client = client_for("supervisor")
    client.cookies["django_language"] = "en"
    page = client.get(warning.get_absolute_url()).content.decode()
    assert 'data-cause="case"' in page and 'data-cause="milestone"' in page
    assert world.case_a.get_absolute_url() in page and milestone.get_absolute_url() in page
    assert 'data-source="rule"' in page and "2026-05-20" in page
    [row] = client.get("/api/v1/warnings/").json()["results"]
    assert (row["addressed_to"], row["due_source"], row["held_since"]) == (
        "enterprise",
        "rule",
        None,
    )
    assert row["effective_due_on"] == "2026-05-20" and row["delay_workdays"] == 8
    assert [(c["kind"], c["start"], c["end"]) for c in row["delay_causes"]] == [
        ("case", "2026-04-28", "2026-05-08"),
        ("milestone", "2026-05-04", "2026-05-12"),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/exits/export.xlsx").content)).active
    header, values = list(sheet.iter_rows(values_only=True))
    cell = dict(zip(header, values, strict=True))
    assert cell["Addressed to"] == "Enterprise" and cell["Due date from"] == "The default rule"
    assert cell["Government delay (working days)"] == 8
    assert "Overdue approval case" in cell["Held intervals"]
    assert "2026-05-04 – 2026-05-12 · 6" in cell["Held intervals"]


def test_without_land_the_enterprises_clock_has_not_started(world):
    # The agreement says start by 2026-04-30, but the land never came: not the
    # enterprise's own delay, not due for the land clean-up's 圈而不建 either.
    project = world.project1_a
    _agreement(world, project, start=D(2026, 4, 30))
    services.ensure_default_rules(project.district)
    found = services.rule_clocks(project.district_id, RuleCode.NOT_STARTED, D(2026, 6, 15))
    assert not found[project.pk].is_due(D(2026, 6, 15))
    assert found[project.pk].held_since == D(2026, 1, 20)  # from the signing
    assert services.scan()["raised"] == 0


def test_the_project_page_shows_a_clock_the_contract_defers(world):
    # Land 2026-02-10: the default rule would be due 2026-05-10; the agreement says start
    # by 2026-07-31: the project's page shows the clock due 7-31 and the default's date.
    from django.template.loader import render_to_string

    from zhaoshang.exits.views import warnings_for_project

    project = deliver(world.project1_a)
    _agreement(world, project, start=D(2026, 7, 31))
    services.scan()
    context = warnings_for_project(world.user_leader, project)
    assert context["exit_warnings"] == []
    [row, *_later] = context["exit_clocks"]
    assert row["rule"].code == RuleCode.NOT_STARTED
    assert (row["clock"].source, row["clock"].effective_due_on) == ("contract", D(2026, 7, 31))
    assert row["default_due"] == D(2026, 5, 10)
    html = render_to_string("exits/_project_warnings.html", context)
    assert 'data-clock="not_started" data-source="contract"' in html and "2026-05-10" in html
