"""The scan's breaches written by the database (``services.breaches``: one ``INSERT … SELECT``
for the breaches, then their events and the departments' ledger entries with their history
rows the same way, the messages as plain rows) write what ``record_breach`` writes one
obligation at a time: in both districts of the world, titled obligations and the
agreement's own terms (phrased by the model), a department's and the enterprise's, a
district live on the platform only after some due dates (no ledger entry for those)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import translation

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import Party
from zhaoshang.agreements.models import Obligation, ObligationBreach
from zhaoshang.assessment.models import AssessmentRule, LedgerEntry, RuleCode
from zhaoshang.assessment.services import rule_for
from zhaoshang.core.models import DomainEvent
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate
from zhaoshang.notifications.models import Notification, OutboxMessage
from zhaoshang.org.models import District


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _written() -> dict:
    entries = LedgerEntry.objects.filter(rule_code=RuleCode.MISSED_OBLIGATION)
    history = LedgerEntry.history.model.objects.filter(rule_code=RuleCode.MISSED_OBLIGATION)
    return {
        "breaches": sorted(
            ObligationBreach.objects.values_list(
                "district_id",
                "obligation_id",
                "project_id",
                "party",
                "department_id",
                "enterprise_id",
                "due_on",
                "occurred_on",
                "recorded_at",
            )
        ),  # fmt: skip
        "entries": sorted(
            entries.values_list(
                "district_id",
                "department_id",
                "year",
                "points",
                "rule_id",
                "rule_code",
                "reason",
                "occurred_on",
                "evidence_type_id",
                "evidence_id",
                "created_at",
                "evidence_file",
                "evidence_name",
                "created_by_id",
                "corrects_id",
            )
        ),  # fmt: skip
        "history": sorted(
            history.values_list(
                "district_id",
                "department_id",
                "year",
                "points",
                "reason",
                "occurred_on",
                "evidence_id",
                "created_at",
                "history_type",
                "history_date",
                "history_user_id",
                "history_change_reason",
            )
        ),  # fmt: skip
        "events": sorted(
            DomainEvent.objects.filter(verb="obligation.missed").values_list(
                "occurred_at",
                "district_id",
                "actor_id",
                "content_type_id",
                "object_id",
                "summary",
                "data",
            )
        ),  # fmt: skip
        "messages": sorted(
            Notification.objects.filter(verb="obligation.missed").values_list(
                "recipient_id", "title", "body", "url", "read_at"
            )
        ),
        "outbox": sorted(
            OutboxMessage.objects.filter(notification__verb="obligation.missed").values_list(
                "notification__recipient_id", "channel", "address", "status"
            )
        ),
    }


def test_the_scan_in_sql_writes_what_record_breach_writes(world, _frozen_time):
    populate(world, _frozen_time)
    # district b went live after its department's obligation fell due (2026-06-10)
    District.objects.filter(pk=world.district_b.pk).update(go_live_on="2026-06-11")
    for district in (world.district_a, world.district_b):  # (ids are not rolled back)
        rule_for(district.pk, RuleCode.MISSED_OBLIGATION)
    late = Obligation.objects.late(SCAN_DAY).order_by("due_on", "pk")
    with transaction.atomic():
        for ob in late.select_related("agreement__project", "department"):
            services.record_breach(ob)
        one_by_one = _written()
        transaction.set_rollback(True)
    result = services.scan(SCAN_DAY)
    assert _written() == one_by_one
    parties = {row[3] for row in one_by_one["breaches"]}
    assert parties == {Party.DEPARTMENT, Party.ENTERPRISE}
    assert result.breaches == len(one_by_one["breaches"]) >= 6
    titles = set(Obligation.objects.filter(breach__isnull=False).values_list("title", flat=True))
    assert "" in titles and len(titles) > 1  # titled, and phrased by the model
    assert {row[0] for row in one_by_one["entries"]} == {world.district_a.pk}
    assert one_by_one["history"] and one_by_one["messages"]
    assert services.scan(SCAN_DAY) == services.ScanResult(0, 0, 0)


def test_a_rule_turned_off_writes_no_entry_in_sql_as_row_by_row(world, _frozen_time):
    """District a's rule is off: its department's breaches are recorded, told and logged,
    without a ledger entry; district b's rule still docks its department."""
    populate(world, _frozen_time)
    for district in (world.district_a, world.district_b):
        rule_for(district.pk, RuleCode.MISSED_OBLIGATION)
    AssessmentRule.objects.filter(
        district=world.district_a, code=RuleCode.MISSED_OBLIGATION
    ).update(is_active=False)
    late = Obligation.objects.late(SCAN_DAY).order_by("due_on", "pk")
    with transaction.atomic():
        for ob in late.select_related("agreement__project", "department"):
            services.record_breach(ob)
        one_by_one = _written()
        transaction.set_rollback(True)
    services.scan(SCAN_DAY)
    assert _written() == one_by_one
    assert {row[0] for row in one_by_one["entries"]} == {world.district_b.pk}
    assert {row[0] for row in one_by_one["breaches"]} == {
        world.district_a.pk,
        world.district_b.pk,
    }


def test_many_projects_managers_are_told_without_binding_their_keys(
    world, _frozen_time, monkeypatch
):
    """Who is told of the enterprises' breaches is read by conditions, not by the keys of
    the projects with a manager bound as parameters: at a district's size those are tens of
    thousands, beyond what a statement may bind (SQLite: 32,766 by default; here the
    limit is lowered to 40 while the messages are read, 30 projects told)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on a statement's parameters")
    import sqlite3

    from zhaoshang.agreements import services as agreements_services
    from zhaoshang.agreements.choices import ObligationKind
    from zhaoshang.agreements.models import Agreement
    from zhaoshang.agreements.services import breaches
    from zhaoshang.projects.choices import TeamRole
    from zhaoshang.projects.models import Project, ProjectTeamMember

    populate(world, _frozen_time)
    base = world.project1_a
    projects = Project.objects.bulk_create(
        Project(
            district=base.district,
            code=f"MANY-{n:03d}",
            name=f"多项目{n:03d}号",
            park=base.park,
            enterprise=base.enterprise,
            total_investment=Decimal("1"),
            signed_on=base.signed_on,
        )
        for n in range(30)
    )
    ProjectTeamMember.objects.bulk_create(
        ProjectTeamMember(project=p, user=world.user_manager, role=TeamRole.MANAGER)
        for p in projects
    )
    made = Agreement.objects.bulk_create(
        Agreement(
            district=base.district,
            project=p,
            number=f"XY-{p.code}",
            signed_on=base.signed_on,
            government_party="区政府",
            enterprise_party="企业",
            contracted_investment=Decimal("1"),
            created_by=world.user_bureau,
        )
        for p in projects
    )
    Obligation.objects.bulk_create(
        Obligation(
            district=base.district,
            agreement=a,
            party=Party.ENTERPRISE,
            kind=ObligationKind.ENERGY,
            title="能耗义务",
            target_text="单位产值能耗不高于0.35吨标准煤/万元",
            due_on=SCAN_DAY - datetime.timedelta(days=20),
        )
        for a in made
    )
    notify = breaches._notify

    def bounded(execute, sql, params, many, context):
        """A reading statement binds at most 40 parameters."""
        if not sql.startswith("SELECT"):
            return execute(sql, params, many, context)
        raw = connection.connection
        before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)
        try:
            return execute(sql, params, many, context)
        finally:
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)

    def limited(new, recorded):
        with connection.execute_wrapper(bounded):
            notify(new, recorded)

    monkeypatch.setattr(breaches, "_notify", limited)
    agreements_services.scan(SCAN_DAY)
    titles = list(
        Notification.objects.filter(
            recipient=world.user_manager, verb="obligation.missed"
        ).values_list("title", flat=True)
    )
    assert all(any(p.name in title for title in titles) for p in projects)
