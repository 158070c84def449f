"""The deadlines of the service hall read by statements compiled once (``core.statements``)
are exactly those of the querysets compiled every time, for other projects of the same
number (the ids put in the compiled statement's places) and another number."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Obligation
from zhaoshang.agreements.tests import conftest as agreement_fixtures
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock, statements
from zhaoshang.portal import project_facts as facts
from zhaoshang.portal.deadlines import deadlines_of
from zhaoshang.projects.models import Project
from zhaoshang.service.models import Need
from zhaoshang.testing.shared import fixture_function

pytestmark = pytest.mark.django_db
D = datetime.date


def _rows(world, project, k: int) -> None:
    district, admin = world.district_a, world.user_admin
    Need.objects.create(
        district=district,
        number=f"WT-S{k:04d}",
        project=project,
        raised_by=admin,
        raised_on=D(2026, 6, 1),
        category="land",
        title=f"诉求{k}",
        description="-",
        department=world.dept_works_a,
        due_workdays=5,
        due_on=D(2026, 6, 10) + datetime.timedelta(days=k),
    )
    item = world.item_works_a
    item.pk, item.code, item.name = None, f"JS-S{k:03d}", f"事项{k}"
    item.save()
    ApprovalCase.objects.create(
        district=district,
        project=project,
        item=item,
        department=world.dept_works_a,
        registered_on=D(2026, 6, 1),
        registered_by=admin,
        time_limit=5,
        time_limit_unit="workday",
        due_on=D(2026, 6, 20) + datetime.timedelta(days=k),
        pledge_materials="补交",
        pledge_due_on=D(2026, 6, 30),
    )


def test_compiled_once_the_same_deadlines(world, monkeypatch):
    projects = [world.project1_a, world.project2_a]
    agreement = fixture_function(agreement_fixtures.make_agreement)(world)()
    for k, project in enumerate(projects):
        _rows(world, project, k)
    for k, party in enumerate((Party.ENTERPRISE, Party.DEPARTMENT)):
        Obligation.objects.create(
            district=world.district_a,
            agreement=agreement,
            party=party,
            department=world.dept_works_a if party == Party.DEPARTMENT else None,
            kind=ObligationKind.TAX,
            title=f"义务{k}",
            target_amount=Decimal("10"),
            due_on=D(2026, 5, 1) + datetime.timedelta(days=30 * k),
        )
    projects = [Project.objects.get(pk=p.pk) for p in projects]
    today = clock.today()
    real_rows = statements.rows
    monkeypatch.setattr(statements, "rows", lambda key, build, *ids: list(build(*ids)))
    expected = [deadlines_of([p], today) for p in projects] + [deadlines_of(projects, today)]
    monkeypatch.setattr(statements, "rows", real_rows)
    statements.forget()
    got = [deadlines_of([p], today) for p in projects] + [deadlines_of(projects, today)]
    assert got == expected
    shown = sum(
        len(side) for found in expected for sides in found.values() for side in sides.values()
    )
    assert shown >= 10  # needs, cases, pledges and obligations of both projects
    assert any(v is not None for v in statements._kept.values())


def test_compiled_once_the_same_projects_and_reasons(world):
    """``project_list`` and ``light_reasons`` give what their querysets give, for one
    enterprise and then another (the enterprise's id put in the kept statement)."""
    statements.forget()
    enterprises = [world.enterprise1_a, world.enterprise2_a, world.enterprise1_b]
    for enterprise in enterprises:
        Project.objects.filter(district=enterprise.district).update(enterprise=enterprise)
        user = SimpleNamespace(enterprise_id=enterprise.pk)
        expected = list(facts.project_rows(user))
        got = facts.project_list(user)
        assert [(p.pk, p.name, p.light, p.funds_in_place, p.park.name) for p in got] == [
            (p.pk, p.name, p.light, p.funds_in_place, p.park.name) for p in expected
        ]
        assert got
        ids = [p.pk for p in got]
        shown = facts.light_reasons(ids)
        statements.forget()
        assert shown == facts.light_reasons(ids)
