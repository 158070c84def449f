"""The daily scan (SPEC §11): the three rules raise one warning per project and rule once
the due date (month ends clamped) has passed without the fact, never twice; warnings clear
when the project meets the condition; the second run changes nothing."""

from __future__ import annotations

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from zhaoshang.core.models import DomainEvent
from zhaoshang.exits import services
from zhaoshang.exits.choices import RuleCode, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitWarning, LandThreshold
from zhaoshang.exits.tests.factories import deliver, rule
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import Project

D = datetime.date
pytestmark = pytest.mark.usefixtures("english")


def _warnings(project):
    return dict(ExitWarning.objects.filter(project=project).values_list("rule__code", "status"))


def test_default_rules_are_made_on_first_use(world):
    assert not ExitRule.objects.exists()
    counts = services.scan()
    assert counts["rules"] == 4 * 2  # both districts of the world
    rules = ExitRule.objects.filter(district=world.district_a).order_by("months")
    assert [(r.code, r.anchor, r.months, r.clears_by) for r in rules] == [
        (RuleCode.NOT_STARTED, "land_delivered", 3, "started"),
        (RuleCode.NO_LAND, "signed", 6, "land"),
        (RuleCode.NOT_PRODUCING, "land_delivered", 24, "production"),
        (RuleCode.NO_BENEFIT, "land_delivered", 36, "benefit"),
    ]
    assert services.ensure_default_rules(world.district_a) == list(rules)


@pytest.mark.parametrize(
    ("delivered", "today", "raised"),
    [
        # Delivered 30 November: due 28 February (29 in a leap year); warned from the day after.
        (D(2025, 11, 30), D(2026, 2, 28), False),
        (D(2025, 11, 30), D(2026, 3, 1), True),
        (D(2023, 11, 30), D(2024, 2, 29), False),
        (D(2023, 11, 30), D(2024, 3, 1), True),
        # Delivered 31 August: due 30 November.
        (D(2025, 8, 31), D(2025, 11, 30), False),
        (D(2025, 8, 31), D(2025, 12, 1), True),
    ],
)
def test_not_started_at_month_ends(world, delivered, today, raised):
    project = deliver(world.project1_a, delivered)
    services.scan(today)
    assert (_warnings(project).get(RuleCode.NOT_STARTED) == WarningStatus.WARNING) is raised
    if raised:
        warning = ExitWarning.objects.get(project=project)
        assert warning.anchor_on == delivered
        assert warning.due_on == services.add_months(delivered, 3)
        assert warning.raised_on == today


@pytest.mark.parametrize(
    ("today", "codes"),
    [
        (D(2026, 2, 28), {RuleCode.NOT_STARTED}),  # two years after 29 Feb 2024 is 28 Feb
        (D(2026, 3, 1), {RuleCode.NOT_STARTED, RuleCode.NOT_PRODUCING}),
        (D(2027, 2, 28), {RuleCode.NOT_STARTED, RuleCode.NOT_PRODUCING}),
        (D(2027, 3, 1), {RuleCode.NOT_STARTED, RuleCode.NOT_PRODUCING, RuleCode.NO_BENEFIT}),
    ],
)
def test_two_and_three_year_rules_from_29_february(world, today, codes):
    project = deliver(world.project1_a, D(2024, 2, 29))
    services.scan(today)
    assert set(_warnings(project)) == codes


def test_the_fact_keeps_the_warning_away(world):
    project = deliver(
        world.project1_a, D(2023, 1, 10), started_on=D(2023, 3, 1), production_on=D(2024, 6, 1)
    )
    services.scan()
    assert set(_warnings(project)) == {RuleCode.NO_BENEFIT}


@pytest.mark.parametrize(
    ("setup", "met"),
    [
        ({}, False),
        ({"actual_tax": Decimal("300")}, True),  # agreed annual tax 200
        ({"actual_tax": Decimal("150")}, False),
        ({"fixed_asset_investment": Decimal("60000")}, True),  # 300/mu × 200 mu needed
        ({"fixed_asset_investment": Decimal("40000")}, False),
        ({"confirm": "output"}, True),
    ],
)
def test_benefit_against_the_agreement(world, setup, met):
    from zhaoshang.agreements.models import Agreement, Obligation

    project = deliver(
        world.project1_a, D(2023, 1, 10), started_on=D(2023, 3, 1), production_on=D(2024, 6, 1)
    )
    project.actual_tax = setup.get("actual_tax")
    project.fixed_asset_investment = setup.get("fixed_asset_investment", Decimal("40000"))
    project.save()
    agreement = Agreement.objects.create(
        district=project.district,
        project=project,
        number="XY-1",
        signed_on=D(2022, 12, 1),
        government_party="区政府",
        enterprise_party="企业",
        contracted_investment=Decimal("50000"),
        created_by=world.user_bureau,
    )
    for kind, amount in (("tax", "200"), ("intensity", "300"), ("output", "9000")):
        Obligation.objects.create(
            district=project.district,
            agreement=agreement,
            party="enterprise",
            kind=kind,
            title=kind,
            target_amount=Decimal(amount),
            due_on=D(2025, 12, 31),
            confirmed_on=D(2026, 1, 5) if setup.get("confirm") == kind else None,
        )
    services.scan()
    assert (RuleCode.NO_BENEFIT not in _warnings(project)) is met


def test_benefit_against_the_district_thresholds(world):
    """No benefit terms in an agreement: the district's one threshold table decides, the
    most specific row first (park > industry > default, per measure)."""
    project = deliver(
        world.project1_a, D(2023, 1, 10), started_on=D(2023, 3, 1), production_on=D(2024, 6, 1)
    )
    project.actual_tax = Decimal("400")  # 400 / 200 mu = 2 per mu
    project.save()
    district = project.district
    LandThreshold.objects.create(district=district, min_tax_per_mu=Decimal("2.5"))
    LandThreshold.objects.create(
        district=district, industry=project.industry, min_tax_per_mu=Decimal("3")
    )
    # The industry's 3 per mu (over the default's 2.5): 200 mu × 3 = 600 > 400, and the
    # intensity (40000 / 200 = 200 per mu) has no threshold: not met, warned.
    services.scan(D(2026, 6, 1))
    assert RuleCode.NO_BENEFIT in _warnings(project)
    # The park's row (2 per mu) wins over the industry's: 200 × 2 = 400 ≤ 400, met.
    park_row = LandThreshold.objects.create(
        district=district, park=project.park, min_tax_per_mu=Decimal("2")
    )
    services.scan()
    assert _warnings(project)[RuleCode.NO_BENEFIT] == WarningStatus.CLEARED
    # Another district's lower threshold changes nothing here.
    park_row.delete()
    LandThreshold.objects.create(district=world.district_b, min_tax_per_mu=Decimal("1"))
    benefit = rule(district, RuleCode.NO_BENEFIT)
    met = Project.objects.filter(pk=project.pk).filter(services.fact_met_q(benefit))
    assert not met.exists()


def test_scan_is_idempotent_and_clears(world):
    project = deliver(world.project1_a)
    first = services.scan()
    assert first["raised"] == 1
    warning = ExitWarning.objects.get(project=project)
    notified = set(
        Notification.objects.filter(verb="exit_warning.raised").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"secretary", "manager", "supervisor"} <= notified
    assert "supervisor_b" not in notified
    events = DomainEvent.objects.count()
    second = services.scan()
    assert second == {"rules": 0, "raised": 0, "cleared": 0, "held": 0, "reopened": 0}
    assert DomainEvent.objects.count() == events
    assert ExitWarning.objects.count() == 1
    warning.refresh_from_db()
    assert warning.version == 1
    # The project starts: the next scan closes the warning, once.
    project.started_on = D(2026, 6, 1)
    project.save()
    assert services.scan()["cleared"] == 1
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED
    assert warning.cleared_on == D(2026, 6, 15)
    assert "2026-06-01" in warning.cleared_note
    assert services.scan() == {"rules": 0, "raised": 0, "cleared": 0, "held": 0, "reopened": 0}


def test_enterprise_rules_search_only_the_districts_with_land(world, monkeypatch):
    """An enterprise rule warns only of a project with its land: the districts with one are
    read once for every rule, and a district without one is not searched rule by rule."""
    scan_module = importlib.import_module("zhaoshang.exits.services.scan")
    searched = []
    real = scan_module._candidates

    def spy(rule, today, plain=False):
        searched.append((rule.district_id, rule.code))
        return real(rule, today, plain)

    monkeypatch.setattr(scan_module, "_candidates", spy)
    project = deliver(world.project1_a, D(2023, 1, 10))
    Project.objects.filter(district=world.district_b).update(land_delivered_on=None)
    counts = services.scan()
    assert sorted(searched) == sorted(
        (world.district_a.pk, code)
        for code in (RuleCode.NOT_STARTED, RuleCode.NOT_PRODUCING, RuleCode.NO_BENEFIT)
    )
    assert counts["raised"] >= 3
    assert {RuleCode.NOT_STARTED, RuleCode.NOT_PRODUCING, RuleCode.NO_BENEFIT} <= set(
        _warnings(project)
    )


def test_exited_projects_and_inactive_rules_are_left_alone(world):
    deliver(world.project1_a)
    project2 = deliver(world.project2_a)
    project2.stage = "exited"
    project2.save()
    not_started = rule(world.district_a)
    services.scan()
    assert ExitWarning.objects.filter(project=world.project1_a).count() == 1
    assert not ExitWarning.objects.filter(project=project2).exists()
    not_started.is_active = False
    not_started.save()
    ExitWarning.objects.all().delete()
    assert services.scan()["raised"] == 0


def test_command(world):
    deliver(world.project1_a)
    out = io.StringIO()
    call_command("exits_scan", "--date", "2026-05-10", stdout=out)
    assert "raised: 0" in out.getvalue()
    call_command("exits_scan", "--date", "2026-05-11", stdout=out)
    assert "raised: 1" in out.getvalue()
    call_command("exits_scan", stdout=out)
    assert out.getvalue().endswith(
        "raised: 0; cleared: 0; held: 0; reopened: 0; rules created: 0\n"
    )


def _raised_rows():
    """What raising writes, keyed by project and rule rather than by row ids."""
    by_pk = {w.pk: (w.project_id, w.rule_id) for w in ExitWarning.objects.all()}
    warnings = sorted(
        ExitWarning.objects.values_list(
            "project_id",
            "rule_id",
            "raised_on",
            "status",
            "due_source",
            "anchor_on",
            "due_on",
            "effective_due_on",
            "delay_workdays",
            "delay_causes",
            "held_since",
            "version",
            "district_id",
        )
    )
    history = sorted(
        (by_pk[h.id], h.history_type, h.status, h.effective_due_on)
        for h in ExitWarning.history.all()
    )
    events = sorted(
        (by_pk[e.object_id], e.verb, e.summary, str(e.data), e.district_id, e.actor_id)
        for e in DomainEvent.objects.filter(verb="exit_warning.raised")
    )
    notes = sorted(
        (n.recipient_id, n.verb, n.title, n.body, n.url.replace(str(pk), f"<{key}>"))
        for n in Notification.objects.filter(verb="exit_warning.raised")
        for pk, key in [
            (
                int(n.url.rstrip("/").rsplit("/", 1)[1]),
                by_pk[int(n.url.rstrip("/").rsplit("/", 1)[1])],
            )
        ]
    )
    return warnings, history, events, notes


def test_bulk_raise_writes_what_one_by_one_writes(world):
    """The scan raises its warnings in bulk (``raise_warnings``); on the same world the
    one-by-one path (``raise_warning`` for each project due) writes the same rows."""
    from django.db import transaction

    from zhaoshang.exits.services.scan import _candidates, raise_warning, raise_warnings

    deliver(world.project1_a)
    deliver(world.project2_a)
    services.scan(D(2020, 1, 1))  # the rules exist; nothing is due yet
    assert not ExitWarning.objects.exists()
    today = D(2026, 6, 15)
    rules = list(ExitRule.objects.active().order_by("district_id", "months", "id"))

    # the plain rows' clocks are the instances' clocks
    compared = 0
    for r in rules:
        plain = [(p.pk, p.district_id, p.name, c) for p, c in _candidates(r, today, True)]
        expected = [(p.pk, p.district_id, p.name, c) for p, c in _candidates(r, today)]
        assert plain == expected
        compared += len(plain)
    assert compared

    def run(bulk):
        for r in rules:
            # the scan's way: the projects as plain rows (``ClockedProject``)
            due = _candidates(r, today, plain=bulk)
            if bulk:
                raise_warnings(r, due, today)
            else:
                for project, found in due:
                    raise_warning(project, r, today=today, found=found)
        return _raised_rows()

    with transaction.atomic():
        one_by_one = run(bulk=False)
        transaction.set_rollback(True)
    bulk = run(bulk=True)
    assert one_by_one[0], "the world raises warnings"
    assert bulk == one_by_one


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 8, 31),
        D(2025, 1, 31),
        D(2024, 2, 29),
        D(2025, 11, 30),
        D(2025, 12, 31),
        D(2026, 3, 1),
        D(2023, 12, 15),
    ],
)
@pytest.mark.parametrize("months", [-13, -1, 0, 1, 3, 6, 12, 24, 36])
def test_months_added_in_sql_as_in_python(world, day, months):
    """``core.setwise.AddMonths`` (the government rule's due dates in SQL) clamps a day the
    target month lacks as ``rules.add_months`` does, leap years and negative months too."""
    from django.db.models import DateField, Value

    from zhaoshang.core.setwise import AddMonths
    from zhaoshang.exits.services.rules import add_months

    got = (
        Project.objects.filter(pk=world.project1_a.pk)
        .annotate(x=AddMonths(Value(day, output_field=DateField()), months))
        .values_list("x", flat=True)
        .get()
    )
    assert got == add_months(day, months)


@pytest.mark.django_db
def test_months_added_in_sql_every_day(world):
    """``AddMonths`` over every day of four years, a leap year among them (SQLite takes one
    date function for a day up to the 28th, the clamp for a later one): each as
    ``rules.add_months`` gives it — a fast path taken a day too far (the 29th) would move
    29 January + 1 month to 1 March."""
    from django.db.models import F

    from zhaoshang.core.setwise import AddMonths
    from zhaoshang.exits.services.rules import add_months
    from zhaoshang.workdays.models import Day
    from zhaoshang.workdays.services import ensure_range

    first, last = datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)
    ensure_range(last)
    days = Day.objects.filter(date__range=(first, last))
    assert days.count() == (last - first).days + 1
    for months in (-13, -1, 1, 6, 12, 25):
        got = dict(days.annotate(x=AddMonths(F("date"), months)).values_list("date", "x"))
        wrong = {d: x for d, x in got.items() if x != add_months(d, months)}
        assert not wrong, (months, sorted(wrong.items())[:3])


def _government_world(world):
    """Projects of district a under the government's rule (签约未供地, six months from
    signing) as of 2026-11-26: signed on month ends (clamped), owed their land by the
    agreement (its date the due date; an agreement signed after the project; a waived
    obligation left out; a date not yet passed), one with its land (no warning), one
    warned already (none again), one not signed, and district b's (its own rule)."""
    from zhaoshang.agreements.models import Agreement, Obligation
    from zhaoshang.exits.services.scan import raise_warning

    def project(code, signed_on, **extra):
        return Project.objects.create(
            district=world.project1_a.district,
            code=code,
            name=f"项目{code}",
            enterprise=world.project1_a.enterprise,
            park=world.project1_a.park,
            stage="signed" if signed_on else "lead",
            total_investment=Decimal("100"),
            signed_on=signed_on,
            **extra,
        )

    def owed(p, due_on, signed_on=None, waived=False):
        agreement = Agreement.objects.create(
            district=p.district,
            project=p,
            number=f"XY-{p.code}",
            signed_on=signed_on or p.signed_on,
            government_party="区政府",
            enterprise_party="企业",
            contracted_investment=Decimal("100"),
            created_by=world.user_bureau,
        )
        Obligation.objects.create(
            district=p.district,
            agreement=agreement,
            party="department",
            department=world.dept_land_a,
            kind="stage",
            title="交付土地",
            target_stage="land_delivered",
            due_on=due_on,
            waived_on=D(2026, 1, 5) if waived else None,
        )

    project("G-1", D(2025, 8, 31))  # + 6 months: 2026-02-28
    project("G-2", D(2024, 2, 29))
    project("G-3", D(2026, 5, 31))  # due 2026-11-30: not yet
    owed(project("G-4", D(2026, 1, 10)), D(2026, 3, 31))
    owed(project("G-5", D(2026, 1, 10)), D(2026, 4, 30), signed_on=D(2026, 5, 15))
    owed(project("G-6", D(2026, 1, 10)), D(2026, 12, 31))  # the agreement's date not yet
    owed(project("G-7", D(2025, 12, 31)), D(2026, 9, 30), waived=True)  # the rule's date
    project("G-8", D(2025, 1, 15), land_delivered_on=D(2025, 6, 1))
    project("G-9", None)
    warned = project("G-10", D(2025, 3, 3))
    raise_warning(warned, rule(warned.district, RuleCode.NO_LAND), today=D(2025, 10, 1))
    deliver(world.project2_b, D(2025, 1, 1))  # district b: a project with land


def test_government_warnings_raised_by_sql_write_what_the_clocks_write(world):
    """The government's rule's warnings raised by the database
    (``raise_government_warnings``: due dates in SQL, month ends clamped, the agreement's
    date and anchor) write the rows ``raise_warnings`` writes from the clocks computed in
    Python — the warnings, their history, events and messages — and a second run none."""
    from django.db import transaction

    from zhaoshang.exits.services.scan import (
        _candidates,
        raise_government_warnings,
        raise_warnings,
    )

    _government_world(world)
    today = D(2026, 11, 26)
    rules = [rule(world.project1_a.district, RuleCode.NO_LAND)]
    rules.append(rule(world.project1_b.district, RuleCode.NO_LAND))

    def run(sql):
        raised = 0
        for r in rules:
            if sql:
                raised += raise_government_warnings(r, today)
            else:
                raised += raise_warnings(r, _candidates(r, today, plain=True), today)
        assert raised == ExitWarning.objects.filter(raised_on=today).count()
        return _raised_rows()

    with transaction.atomic():
        in_python = run(sql=False)
        transaction.set_rollback(True)
    in_sql = run(sql=True)
    assert in_sql == in_python
    raised = {
        (code, source, str(anchor), str(due))
        for code, source, anchor, due in ExitWarning.objects.filter(
            rule__code=RuleCode.NO_LAND, raised_on=today
        ).values_list("project__code", "due_source", "anchor_on", "effective_due_on")
    }
    assert raised >= {
        ("G-1", "rule", "2025-08-31", "2026-02-28"),
        ("G-2", "rule", "2024-02-29", "2024-08-29"),
        ("G-4", "contract", "2026-01-10", "2026-03-31"),
        ("G-5", "contract", "2026-04-30", "2026-04-30"),
        ("G-7", "rule", "2025-12-31", "2026-06-30"),
    }
    assert not {c for c, *_ in raised} & {"G-3", "G-6", "G-8", "G-9", "G-10"}
    assert in_sql[3], "someone is told"
    assert all(raise_government_warnings(r, today) == 0 for r in rules)


def test_the_warnings_just_raised_are_read_off_the_keys_in_their_order(world):
    """The history rows and events of the warnings just raised read them off the keys'
    range in key order (SQLite), not off the rule's index followed by a sort of them all."""
    from django.db import connection

    from zhaoshang.core import clock
    from zhaoshang.exits.services.scan import _just_raised
    from zhaoshang.testing.plans import plan

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans by its statistics")
    found = plan(
        _just_raised(0, rule(world.district_a, RuleCode.NO_LAND), clock.now()).order_by("pk")
    )
    assert "INTEGER PRIMARY KEY (rowid>?)" in found, found
    assert "TEMP B-TREE" not in found, found
