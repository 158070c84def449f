"""The daily scan (SPEC §11): the three rules raise one warning per project and rule once
the due date (month ends clamped) has passed without the fact, never twice; warnings clear
when the project meets the condition; the second run changes nothing."""

from __future__ import annotations

import datetime
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
