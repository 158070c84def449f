"""A world for the daily scan's tests: both districts of the test world get the same kinds
of timed things, each due by the scan's day (Friday 2026-07-03, in the monthly report's
reminder days): an overdue case and one due soon, late obligations of a department and of
the enterprise (titled, and the agreement's own terms, phrased by the model), a missed
milestone, an overdue action item, land delivered and not started (an exit warning), a
missed clean-up deadline."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

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
from zhaoshang.monitoring.models import LightSnapshot, Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import Project
from zhaoshang.testing import SHANGHAI

D = datetime.date
SCAN_DAY = D(2026, 7, 3)


def populate(world, frozen_time):
    """Both districts populated on the world's day, then the clock moved to the scan's."""
    for tag in ("a", "b"):
        _populate(world, tag)
    frozen_time.move_to(datetime.datetime(2026, 7, 3, 7, 0, tzinfo=SHANGHAI))
    return world


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


def scan_state() -> dict:
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
        "project_lights": sorted(Project.objects.values_list("pk", "light_level")),
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
