"""An obligation's status is one rule (``agreements.querysets.ObligationQuerySet.with_met``):
the KPI page's 履约率, the agreement page and the daily scan's breaches agree — met on its
due day is met, met after it is met late (a breach, but the project still performs), unmet
after it is missed (a breach, and the project does not perform); a project without an
agreement does not perform (today is 2026-06-15)."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.agreements.choices import ObligationStatus
from zhaoshang.agreements.models import Obligation, ObligationBreach
from zhaoshang.agreements.services import ledger
from zhaoshang.core import clock
from zhaoshang.kpis.tests.factories import (
    D,
    add_agreement,
    add_funds,
    funds_of,
    make_project,
    started_by,
)


def _card(client):
    page = client.get(reverse("kpis:index"), {"year": 2026})
    assert page.status_code == 200
    card = next(c for c in page.context["cards"] if c["name"] == "performance_rate")
    return card["numerator"], card["denominator"]


def test_the_kpi_page_the_agreement_page_and_the_scan_agree_on_obligations(world, client_for):
    bureau = client_for("bureau")
    performing, signed = _card(bureau)  # the world's own 2026 projects

    met = make_project(world, signed_on=D(2026, 1, 10), started_on=D(2026, 5, 1))
    add_agreement(world, met, "100", obligations=[started_by(D(2026, 5, 1))])
    met_late = make_project(world, signed_on=D(2026, 1, 20))
    add_agreement(world, met_late, "100", obligations=[funds_of("100", D(2026, 4, 1))])
    add_funds(world, met_late, "100", D(2026, 4, 10))
    missed = make_project(world, signed_on=D(2026, 2, 1))
    add_agreement(world, missed, "100", obligations=[started_by(D(2026, 6, 1))])
    pending = make_project(world, signed_on=D(2026, 2, 10))
    add_agreement(world, pending, "100", obligations=[started_by(D(2026, 6, 20))])
    make_project(world, signed_on=D(2026, 3, 1))  # no agreement recorded

    # By hand: five more signed, three performing (met, met late, pending).
    assert _card(bureau) == (performing + 3, signed + 5)

    statuses = {}
    for project in (met, met_late, missed, pending):
        page = bureau.get(reverse("agreements:project", args=[project.pk]))
        assert page.status_code == 200
        (obligation,) = page.context["enterprise_obligations"]
        statuses[project] = obligation.status
    assert statuses == {
        met: ObligationStatus.MET,
        met_late: ObligationStatus.MET_LATE,
        missed: ObligationStatus.MISSED,
        pending: ObligationStatus.PENDING,
    }

    # The scan records a breach for each obligation not met by its due date, and no other.
    ledger.scan()
    mine = Obligation.objects.filter(agreement__project__in=list(statuses))
    breached = set(
        ObligationBreach.objects.filter(obligation__in=mine).values_list("obligation_id", flat=True)
    )
    assert breached == set(mine.late(clock.today()).values_list("pk", flat=True))
    assert breached == set(
        mine.filter(agreement__project__in=[met_late, missed]).values_list("pk", flat=True)
    )
    assert list(mine.missed(clock.today()).values_list("agreement__project", flat=True)) == [
        missed.pk
    ]
