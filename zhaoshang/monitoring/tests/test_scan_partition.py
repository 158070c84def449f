"""The daily scan partitions by district (issue 19): ``daily_scan(district_ids=[…])`` and
``manage.py daily_scan --district CODE_OR_ID`` read and write only those districts' rows, and
the districts scanned one after another leave exactly what one whole scan leaves — the
signals, ledger entries, breaches, warnings, events, messages, light and KPI snapshots.

Both districts of the world get the same kinds of timed things (``scan_world``)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.land.models import CampaignEntry
from zhaoshang.meetings.models import ActionItem
from zhaoshang.monitoring import services
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate, scan_state
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def populated(world, _frozen_time):
    return populate(world, _frozen_time)


def _scan_rolled_back(*partitions) -> dict:
    """The state after scanning ``partitions`` in turn (each a list of district ids or
    None), then a second run of each on the same day; everything is rolled back."""
    with transaction.atomic():
        for part in partitions:
            services.daily_scan(SCAN_DAY, district_ids=part)
        state = scan_state()
        for part in partitions:
            services.daily_scan(SCAN_DAY, district_ids=part)
        assert scan_state() == state  # the second run on a day changes nothing
        transaction.set_rollback(True)
    return state


def test_scanning_each_district_in_turn_equals_one_whole_scan(populated):
    world = populated
    a, b = world.district_a.pk, world.district_b.pk
    whole = _scan_rolled_back(None)
    # the scenario reaches every kind of row the scan writes, in both districts
    for name in ("signals", "ledger", "breaches", "warnings", "lights", "kpis", "messages"):
        assert whole[name], name
    assert {row[0] for row in whole["ledger"]} == {a, b}
    assert {row[2] for row in whole["signals"]} == {a, b}
    assert {row[0] for row in whole["warnings"]} == {a, b}
    assert any(at for _pk, at in whole["items"]) and any(on for _pk, on in whole["entries"])
    assert _scan_rolled_back([a], [b]) == whole
    assert _scan_rolled_back([b], [a]) == whole
    assert _scan_rolled_back([a, b]) == whole


def test_a_district_filtered_scan_touches_only_that_district(populated):
    world = populated
    a, b = world.district_a.pk, world.district_b.pk
    before = scan_state()
    services.daily_scan(SCAN_DAY, district_ids=[a])
    after = scan_state()
    # every row written or changed belongs to district a
    assert {row[2] for row in after["signals"]} == {a}
    assert {row[0] for row in after["ledger"]} == {a}
    assert {row[0] for row in after["breaches"]} == {a}
    assert {row[0] for row in after["warnings"]} == {a}
    assert {row[0] for row in after["kpis"]} == {a}
    b_projects = set(Project.objects.filter(district_id=b).values_list("pk", flat=True))
    assert not {row[0] for row in after["lights"]} & b_projects
    b_cases = set(ApprovalCase.objects.filter(district_id=b).values_list("pk", flat=True))
    assert [r for r in after["cases"] if r[0] in b_cases] == [
        r for r in before["cases"] if r[0] in b_cases
    ]
    b_items = set(ActionItem.objects.filter(district_id=b).values_list("pk", flat=True))
    assert all(at is None for pk, at in after["items"] if pk in b_items)
    b_entries = set(CampaignEntry.objects.filter(district_id=b).values_list("pk", flat=True))
    assert all(on is None for pk, on in after["entries"] if pk in b_entries)
    b_people = set(User.objects.filter(district_id=b).values_list("pk", flat=True))
    new = set(after["messages"]) - set(before["messages"])
    assert new and not {m[0] for m in new} & b_people
    # then district b alone: the same as one whole scan would have left
    services.daily_scan(SCAN_DAY, district_ids=[b])
    assert {row[2] for row in scan_state()["signals"]} == {a, b}


def test_the_command_takes_districts_by_code_or_id(populated):
    world = populated
    out = io.StringIO()
    call_command("daily_scan", date="2026-07-03", district=[world.district_a.code], stdout=out)
    assert "signals: created" in out.getvalue()
    assert set(Signal.objects.values_list("district_id", flat=True)) == {world.district_a.pk}
    call_command("daily_scan", date="2026-07-03", district=[str(world.district_b.pk)], stdout=out)
    assert set(Signal.objects.values_list("district_id", flat=True)) == {
        world.district_a.pk,
        world.district_b.pk,
    }
    with pytest.raises(CommandError, match="no district"):
        call_command("daily_scan", date="2026-07-03", district=["nowhere"], stdout=out)
