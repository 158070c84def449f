"""The daily scan partitions by district (issue 19): ``daily_scan(district_ids=[…])`` and
``manage.py daily_scan --district CODE_OR_ID`` read and write only those districts' rows, and
the districts scanned one after another leave exactly what one whole scan leaves — the
signals, ledger entries, breaches, warnings, events, messages, light and KPI snapshots.

Both districts of the world get the same kinds of timed things, each due by the scan's day
(Friday 2026-07-03, in the monthly report's reminder days): an overdue case and one due
soon, late obligations of a department and of the enterprise, a missed milestone, an
overdue action item, land delivered and not started (an exit warning), a missed clean-up
deadline."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from zhaoshang.agreements import services as agreements
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import ObligationBreach
from zhaoshang.agreements.schedule import Step
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core.models import DomainEvent
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.tests.factories import deliver
from zhaoshang.kpis.models import KpiSnapshot
from zhaoshang.land import services as land
from zhaoshang.land.choices import Decision
from zhaoshang.land.models import CampaignEntry
from zhaoshang.land.tests.factories import add_entry, make_campaign
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.tests.factories import make_item
from zhaoshang.monitoring import services
from zhaoshang.monitoring.models import LightSnapshot, Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project
from zhaoshang.testing import SHANGHAI

D = datetime.date
SCAN_DAY = D(2026, 7, 3)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _populate(world, tag: str) -> None:
    """The same timed things in district ``tag``, made on 2026-06-15 (the world's day)."""
    suffix = "" if tag == "a" else "_b"
    project = getattr(world, f"project1_{tag}")
    bureau = getattr(world, f"user_bureau{suffix}")
    works = getattr(world, f"dept_works_{tag}")
    land_dept = getattr(world, f"dept_land_{tag}")
    ApprovalCase.objects.filter(pk=getattr(world, f"case_{tag}").pk).update(
        status=CaseStatus.ACCEPTED,
        accepted_on=D(2026, 6, 1),
        materials_complete_on=D(2026, 6, 1),
        due_on=D(2026, 6, 20),
    )
    if tag == "a":  # district b has no second case: this one only lights (yellow)
        ApprovalCase.objects.filter(pk=world.case_out_a.pk).update(
            status=CaseStatus.ACCEPTED, due_on=D(2026, 7, 6)
        )
    from zhaoshang.agreements.tests.conftest import header, standard_terms

    agreement = agreements.save_agreement(
        bureau,
        project,
        fields=header(project),
        terms=standard_terms(),
        schedule=[(D(2026, 5, 31), Decimal("1000")), (D(2026, 12, 31), Decimal("20000"))],
    )
    for party, department, due in (
        (Party.DEPARTMENT, land_dept, D(2026, 6, 10)),
        (Party.ENTERPRISE, None, D(2026, 6, 12)),
        (Party.DEPARTMENT, works, D(2026, 7, 6)),  # due soon: yellow only
    ):
        agreements.add_obligation(
            bureau,
            agreement,
            party=party,
            department=department,
            kind=ObligationKind.SERVICE if department else ObligationKind.ENERGY,
            title=f"义务{due:%m%d}",
            target_text="完成场地平整并移交企业"
            if department
            else "单位产值能耗不高于0.35吨标准煤/万元",
            due_on=due,
        )
    agreements.create_commitment(
        bureau,
        project,
        department=works,
        steps=[Step("土地移交", 3, land_dept), Step("发证", 2)],
        title="施工许可办理服务承诺",
        content="在项目开工前完成施工许可证核发。",
        clause="第七条第二款",
        start_on=D(2026, 5, 4),
        target_on=D(2026, 6, 12),
    )
    make_item(world, tag, owner=works, due_workdays=5)
    # 三个月不开工 due 2026-05-10 (project 2: nothing of the government's holds its clock)
    deliver(getattr(world, f"project2_{tag}"), D(2026, 2, 10))
    campaign = make_campaign(world, tag)
    entry = campaign.entries.filter(project=project).first() or add_entry(campaign, project)
    land.decide_entry(
        getattr(world, f"user_supervisor{suffix}"),
        entry,
        decision=Decision.RECTIFY,
        reason="限期开工",
        deadline=D(2026, 6, 30),
    )


def _warning_keys() -> dict[int, tuple]:
    return {
        pk: (p, r) for pk, p, r in ExitWarning.objects.values_list("pk", "project_id", "rule_id")
    }


def _state() -> dict:
    """What the scan leaves, without the ids of the rows it writes (they depend on the
    order of writing): an exit warning is named by its project and rule."""
    warnings = _warning_keys()

    def named(url: str) -> str:
        return re.sub(r"/exits/(\d+)/", lambda m: f"/exits/{warnings.get(int(m[1]))}/", url)

    events = sorted(
        (
            verb,
            ctype,
            warnings[obj] if ctype == _ctype(ExitWarning) else obj,
            summary,
        )
        for verb, ctype, obj, summary in DomainEvent.objects.values_list(
            "verb", "content_type_id", "object_id", "summary"
        )
    )
    return {
        "signals": sorted(
            Signal.objects.values_list(
                "subject",
                "object_id",
                "district_id",
                "project_id",
                "department_id",
                "title",
                "url",
                "due_on",
                "days_left",
                "gap",
                "light",
                "since",
                "checked_on",
                "level",
                "escalated_on",
                "unassigned",
            )
        ),  # fmt: skip
        "ledger": sorted(
            LedgerEntry.objects.values_list(
                "district_id",
                "department_id",
                "rule_code",
                "year",
                "points",
                "reason",
                "occurred_on",
                "evidence_type_id",
                "evidence_id",
            )
        ),  # fmt: skip
        "breaches": sorted(
            ObligationBreach.objects.values_list(
                "district_id", "obligation_id", "party", "department_id", "due_on", "occurred_on"
            )
        ),
        "warnings": sorted(
            ExitWarning.objects.values_list(
                "district_id",
                "project_id",
                "rule_id",
                "status",
                "raised_on",
                "due_on",
                "effective_due_on",
                "delay_workdays",
            )
        ),  # fmt: skip
        "cases": sorted(ApprovalCase.objects.values_list("pk", "status", "paused")),
        "items": sorted(ActionItem.objects.values_list("pk", "escalated_on")),
        "entries": sorted(CampaignEntry.objects.values_list("pk", "overdue_on")),
        "lights": sorted(
            (p, on, light, str(reasons))
            for p, on, light, reasons in LightSnapshot.objects.values_list(
                "project_id", "on", "light", "reasons"
            )
        ),
        "kpis": sorted(
            KpiSnapshot.objects.values_list("district_id", "year", "first_year", "cutoff")
        ),
        "events": events,
        "messages": sorted(
            (r, verb, title, body, named(url))
            for r, verb, title, body, url in Notification.objects.values_list(
                "recipient_id", "verb", "title", "body", "url"
            )
        ),
    }


def _ctype(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


@pytest.fixture
def populated(world, _frozen_time):
    for tag in ("a", "b"):
        _populate(world, tag)
    _frozen_time.move_to(datetime.datetime(2026, 7, 3, 7, 0, tzinfo=SHANGHAI))
    return world


def _scan_rolled_back(*partitions) -> dict:
    """The state after scanning ``partitions`` in turn (each a list of district ids or
    None), then a second run of each on the same day; everything is rolled back."""
    with transaction.atomic():
        for part in partitions:
            services.daily_scan(SCAN_DAY, district_ids=part)
        state = _state()
        for part in partitions:
            services.daily_scan(SCAN_DAY, district_ids=part)
        assert _state() == state  # the second run on a day changes nothing
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
    before = _state()
    services.daily_scan(SCAN_DAY, district_ids=[a])
    after = _state()
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
    assert {row[2] for row in _state()["signals"]} == {a, b}


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
