"""How SQLite reads what the daily scan's breaches write (issue 19): each breach's ledger
entry is checked against the entries already there off the unique index of (rule, evidence,
department) — its condition written in the statement, as the partial index has it; bound,
SQLite walked every entry of the evidence's kind for each breach (the next working day's
scan at 100,000 projects: 1.3 s for a few hundred entries). The late obligations are read
in the table's order, each one's breach probed, not walked in the order of their due dates
(a page read for each row on the first scan) nor gathered first as a list of keys off the
due dates' index and then sought one by one (0.07 s more of a first scan at 100,000
projects, the same on a later one)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F, Q

from zhaoshang.agreements import services
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core.parts import LiteralExact
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate


def _plans_of_inserts(table: str, run) -> list[list[tuple[int, str]]]:
    """The plans (parent, detail) of the statements inserting into ``table`` that ``run``
    executes."""
    statements = []

    def spy(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{table}"') and " SELECT " in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        run()
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans.append([(row[1], row[-1]) for row in cursor.fetchall()])
    return plans


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL plans by its statistics and bound values)")


def test_a_breachs_entry_is_checked_off_the_unique_index(world, _frozen_time, sqlite_only):
    populate(world, _frozen_time)
    plans = _plans_of_inserts("assessment_ledgerentry", lambda: services.scan(SCAN_DAY))
    assert plans
    for plan in plans:
        text = " ".join(detail for _parent, detail in plan)
        assert "USING COVERING INDEX uniq_rule_entry_per_evidence_department" in text, text


def test_the_late_obligations_are_read_in_the_tables_order(world, _frozen_time, sqlite_only):
    populate(world, _frozen_time)
    plans = _plans_of_inserts("agreements_obligationbreach", lambda: services.scan(SCAN_DAY))
    assert len(plans) == 1
    top = [detail for parent, detail in plans[0] if parent == 0]
    assert top[0] == "SCAN agreements_obligation", top
    assert not any("TEMP B-TREE" in detail or "LIST SUBQUERY" in detail for detail in top), top
    breach = [detail for _parent, detail in plans[0] if "agreements_obligationbreach" in detail]
    assert breach and all("(obligation_id=?)" in detail for detail in breach), breach
    assert services.scan(SCAN_DAY) == services.ScanResult(0, 0, 0)


def test_literal_exact_writes_a_plain_word_only(db):
    sql = str(LedgerEntry.objects.filter(~Q(LiteralExact(F("rule_code"), ""))).query)
    assert """NOT ("assessment_ledgerentry"."rule_code" = '')""" in sql
    with pytest.raises(ValueError, match="plain word"):
        str(LedgerEntry.objects.filter(LiteralExact(F("rule_code"), "x' OR 1=1 --")).query)
