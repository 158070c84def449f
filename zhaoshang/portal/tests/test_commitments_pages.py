"""The commitments page: the obligations the enterprise signed and the government's to it
(the departments' obligations and service commitments with their milestones), with due
dates and status on both sides, per project; nothing of another enterprise. Today is
2026-06-15."""

from __future__ import annotations

import datetime

from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, ObligationStatus, Party, Term
from zhaoshang.agreements.models import Milestone
from zhaoshang.agreements.tests import conftest as agreement_fixtures
from zhaoshang.testing.shared import fixture_function

D = datetime.date


def test_both_sides_with_due_dates_and_status(world, client_for):
    make_agreement = fixture_function(agreement_fixtures.make_agreement)(world)
    make_commitment = fixture_function(agreement_fixtures.make_commitment)(world)
    agreement = make_agreement()
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
    commitment = make_commitment()
    Milestone.objects.filter(commitment=commitment, seq=3).update(due_is_provisional=True)
    # Another enterprise's agreement and commitment stay out.
    other = make_agreement(project=world.project2_a, number="TZXY-OTHER")
    make_commitment(project=world.project2_a, title="别家的承诺")

    response = client_for("enterprise").get(reverse("portal:commitments"))
    assert response.status_code == 200
    html = response.content.decode()
    groups = response.context["groups"]
    assert [g.project.pk for g in groups] == [world.project1_a.pk]
    group = groups[0]
    assert group.agreement == agreement
    assert group.own and all(o.party == Party.ENTERPRISE for o in group.own)
    # The schedule's first instalment (2026-05-31, 1000) is missed: no funds in place.
    first = next(o for o in group.own if o.term == Term.SCHEDULE)
    assert first.due_on == D(2026, 5, 31) and first.status == ObligationStatus.MISSED
    assert f'data-obligation="{first.pk}" data-status="missed"' in html
    assert [o.title for o in group.departments] == ["交付净地"]
    assert "区国土局" in html and "甲方负责交付净地并完成三通一平。" in html
    assert [c.pk for c in group.commitments] == [commitment.pk]
    assert "施工许可办理服务承诺" in html and "施工许可核发" in html
    assert 'data-testid="provisional"' in html  # the third milestone's date is 暂定
    assert "别家的承诺" not in html and other.number not in html


def test_without_agreement_the_page_says_so(world, client_for):
    response = client_for("enterprise").get(reverse("portal:commitments"))
    assert response.status_code == 200
    assert response.context["groups"] == []


def test_a_completed_commitment_reads_as_done_not_as_construction_completed(world, client_for):
    """已完成 (the commitment's state), not 已竣工 (a project's stage)."""
    from zhaoshang.agreements.models import Commitment

    make_commitment = fixture_function(agreement_fixtures.make_commitment)(world)
    commitment = make_commitment()
    Commitment.objects.filter(pk=commitment.pk).update(completed_on=D(2026, 6, 12))
    client = client_for("enterprise")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get(reverse("portal:commitments")).content.decode()
    assert 'data-testid="commitment-completed">已完成 2026-06-12<' in html
    assert "已竣工" not in html
