"""My projects in the service hall: the home's cards and to-do strip, a project's page
(stage line with dates, the evidence the enterprise may see, the light and why, the team
with phones, the leader in charge, the deadlines on both sides) and the documents it may
open. Today is 2026-06-15; project1_a (enterprise1_a's) was signed on 2026-03-02."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.tests import conftest as agreement_fixtures
from zhaoshang.core.lights import Light
from zhaoshang.exits.choices import WarningStatus
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.services import refresh_signals
from zhaoshang.projects.models import MaterialType, MonthlyReport, StageEvent
from zhaoshang.service.models import Need
from zhaoshang.testing.factories import DocumentVersionFactory
from zhaoshang.testing.shared import fixture_function

D = datetime.date


def _agreement(world):
    make = fixture_function(agreement_fixtures.make_agreement)(world)
    return make()


def _commitment(world):
    make = fixture_function(agreement_fixtures.make_commitment)(world)
    return make()


def _version(world, project, code, uploaded_by):
    material = MaterialType.objects.get(code=code)
    return DocumentVersionFactory(
        document__project=project,
        document__material_type=material,
        uploaded_by=uploaded_by,
        original_name=f"{code}.pdf",
    )


def _need(world, project, **fields):
    values = {
        "district": project.district,
        "number": f"WT-{Need.objects.count() + 1:04d}",
        "project": project,
        "raised_by": world.user_secretary,
        "raised_on": D(2026, 6, 1),
        "category": "land",
        "title": "临时用电增容",
        "description": "需供电公司增容",
        "department": world.dept_works_a,
        "due_workdays": 5,
        "due_on": D(2026, 6, 16),
    }
    values.update(fields)
    return Need.objects.create(**values)


def test_home_shows_each_own_project_as_a_card_with_light_and_next_deadline(world, client_for):
    _need(world, world.project1_a)
    _need(world, world.project2_a, title="别家的诉求")
    refresh_signals()
    response = client_for("enterprise").get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-project="{world.project1_a.pk}"' in html
    assert f'data-project="{world.project2_a.pk}"' not in html  # another enterprise's
    assert world.project1_a.code in html and "装备制造产业园" in html
    card = response.context["projects"][0]
    assert card.light == Light.YELLOW  # the need is due tomorrow
    assert [s.title for s in card.reasons_shown] == ["临时用电增容"]
    assert "临时用电增容" in html and "别家的诉求" not in html
    # The next deadline: the monthly report of May was due on 2026-06-05 (overdue).
    assert card.next_deadline.kind == "report"
    assert card.next_deadline.due_on == D(2026, 6, 5)
    assert card.next_deadline.light == Light.RED
    todo = response.context["todo"]
    assert todo == {"reports": 1, "cases": 1, "needs": 1, "obligations": 0}


def test_a_filed_report_moves_the_next_report_to_this_month(world, client_for):
    MonthlyReport.objects.create(
        project=world.project1_a,
        month=D(2026, 5, 1),
        investment_this_month=Decimal("10"),
        investment_cumulative=Decimal("10"),
        image_progress="平整",
        submitted_by=world.user_enterprise,
        submitted_at=datetime.datetime(2026, 6, 3, tzinfo=datetime.UTC),
    )
    response = client_for("enterprise").get(reverse("portal:project", args=[world.project1_a.pk]))
    reports = [d for d in response.context["enterprise_deadlines"] if d.kind == "report"]
    assert [d.due_on for d in reports] == [D(2026, 7, 5)]
    home = client_for("enterprise").get(reverse("portal:home"))
    assert home.context["todo"]["reports"] == 0


def test_project_page_shows_stages_team_leader_and_both_sides_deadlines(world, client_for):
    project = world.project1_a
    agreement = _agreement(world)
    from zhaoshang.agreements import services

    services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_land_a,
        kind=ObligationKind.SERVICE,
        title="交付净地",
        target_text="完成场地平整",
        due_on=D(2026, 8, 31),
    )
    _commitment(world)
    _need(world, project)
    world.user_manager.__class__.objects.filter(pk=world.user_officer.pk).update(
        phone="13800000001"
    )
    response = client_for("enterprise").get(reverse("portal:project", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The stage line with the signing date.
    signed = next(s for s in response.context["steps"] if s["stage"] == "signed")
    assert signed["state"] == "current" and signed["date"] == D(2026, 3, 2)
    assert "2026-03-02" in html
    # The team with phone numbers, and the leader in charge (the designated leader).
    assert 'href="tel:13800000001"' in html
    assert response.context["leader"] == world.user_manager
    assert world.user_manager.display_name in html
    # The enterprise's side: its own obligations (the start of construction …) and the report.
    own = response.context["enterprise_deadlines"]
    kinds = {d.kind for d in own}
    assert {"obligation", "report"} <= kinds
    assert all(d.side == "enterprise" for d in own)
    # The government's: the open case, the department's obligation, the commitment's next
    # milestone and the need.
    gov = response.context["government_deadlines"]
    assert {d.kind for d in gov} == {"case", "obligation", "milestone", "need"}
    land = next(d for d in gov if d.kind == "obligation")
    assert land.title == "交付净地" and land.party == "区国土局"
    milestone = next(d for d in gov if d.kind == "milestone")
    assert milestone.title.startswith("施工许可办理服务承诺 · ")
    assert "交付净地" in html and "城市建筑垃圾处置核准" in html


def test_rectification_notice_and_pledge_are_the_enterprises_deadlines(world, client_for):
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.exits.models import ExitRule, ExitWarning

    project = world.project1_a
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        pledge_materials="环评批复", pledge_due_on=D(2026, 6, 30)
    )
    rule = ExitRule.objects.create(
        district=world.district_a, code="not_started", months=3, clears_by="started"
    )
    warning = ExitWarning.objects.create(
        district=world.district_a,
        project=project,
        rule=rule,
        anchor_on=D(2026, 3, 2),
        due_on=D(2026, 6, 1),
        raised_on=D(2026, 6, 2),
        effective_due_on=D(2026, 6, 1),
        status=WarningStatus.NOTICE,
        notice_deadline=D(2026, 6, 12),
    )
    response = client_for("enterprise").get(reverse("portal:project", args=[project.pk]))
    own = {d.kind: d for d in response.context["enterprise_deadlines"]}
    assert own["pledge"].due_on == D(2026, 6, 30) and own["pledge"].title == "城市建筑垃圾处置核准"
    assert own["notice"].due_on == D(2026, 6, 12) and own["notice"].light == Light.RED
    # A warning before a notice is the government's internal watch: not shown.
    ExitWarning.objects.filter(pk=warning.pk).update(status=WarningStatus.WARNING)
    response = client_for("enterprise").get(reverse("portal:project", args=[project.pk]))
    assert "notice" not in {d.kind for d in response.context["enterprise_deadlines"]}


def test_the_light_and_why_are_monitorings(world, client_for):
    _need(world, world.project1_a, due_on=D(2026, 6, 10))  # overdue: red
    refresh_signals()
    signals = list(Signal.objects.filter(project=world.project1_a))
    assert signals
    response = client_for("enterprise").get(reverse("portal:project", args=[world.project1_a.pk]))
    assert response.context["project"].light == Light.RED
    assert [s.pk for s in response.context["reasons"]] == [
        s.pk for s in Signal.objects.filter(project=world.project1_a).worst_first()
    ]
    assert 'data-testid="project-light"><span class="badge text-bg-danger"' in (
        response.content.decode()
    )


def test_evidence_shown_is_the_enterprises_own_or_exchanged_with_it(world, client_for):
    project = world.project1_a
    agreement_pdf = _version(world, project, "investment_agreement", world.user_bureau)
    internal = _version(world, project, "land_preliminary_opinion", world.user_bureau)
    own = _version(world, project, "feasibility_study", world.user_enterprise)
    event = StageEvent.objects.create(
        project=project,
        from_stage="prereview",
        to_stage="signed",
        occurred_on=D(2026, 3, 2),
        recorded_by=world.user_bureau,
    )
    event.evidence.add(agreement_pdf, internal)
    client = client_for("enterprise")
    response = client.get(reverse("portal:project", args=[project.pk]))
    html = response.content.decode()
    shown = response.context["events"][0].shown_evidence
    assert [v.pk for v in shown] == [agreement_pdf.pk]
    assert {v.pk for v in response.context["documents"]} == {agreement_pdf.pk, own.pk}
    assert f'data-evidence="{agreement_pdf.pk}"' in html
    assert f'data-document="{internal.pk}"' not in html
    url = "portal:project_document"
    assert client.get(reverse(url, args=[project.pk, agreement_pdf.pk])).status_code == 200
    assert client.get(reverse(url, args=[project.pk, own.pk])).status_code == 200
    assert client.get(reverse(url, args=[project.pk, internal.pk])).status_code == 404
    # Another project's version under this project's URL is not there.
    other = _version(world, world.project2_a, "investment_agreement", world.user_bureau)
    assert client.get(reverse(url, args=[project.pk, other.pk])).status_code == 404


def test_a_project_without_team_or_leader_says_so(world, client_for):
    project = world.project1_a
    project.team_members.all().delete()
    type(project).objects.filter(pk=project.pk).update(designated_leader=None)
    response = client_for("enterprise").get(reverse("portal:project", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["leader"] is None and response.context["team"] == []
