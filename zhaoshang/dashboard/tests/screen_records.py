"""Records for the big screen's tests, written directly as the services and the daily scan
would have left them (time is frozen on Monday 2026-06-15 10:00, Shanghai)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.models import DomainEvent
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.monitoring.models import LightSnapshot, Signal
from zhaoshang.projects.choices import FundsOrigin, FundsUse, Stage
from zhaoshang.projects.models import FundsEntry, Project
from zhaoshang.testing.factories.projects import ProjectFactory

D = datetime.date
_n = itertools.count(1)


def moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def red_signal(project, title: str, since: datetime.date, *, light: str = "red") -> Signal:
    return Signal.objects.create(
        district=project.district,
        subject="case",
        content_type=ContentType.objects.get_for_model(ApprovalCase),
        object_id=900_000 + next(_n),
        project=project,
        title=title,
        url="/",
        due_on=since,
        light=light,
        since=since,
        level=0,
        checked_on=D(2026, 6, 15),
    )


def stage_event(world, project, from_stage: str, to_stage: str, when: datetime.datetime):
    return DomainEvent.objects.create(
        district=project.district,
        actor=world.user_bureau,
        verb="project.stage_changed",
        content_type=ContentType.objects.get_for_model(Project),
        object_id=project.pk,
        summary=f"{from_stage} → {to_stage}",
        data={"from_stage": from_stage, "to_stage": to_stage},
        occurred_at=when,
    )


def snapshot(project, on: datetime.date, light: str, reasons=()) -> LightSnapshot:
    return LightSnapshot.objects.create(
        district=project.district, project=project, on=on, light=light, reasons=list(reasons)
    )


def target(district, year: int = 2026, **extra) -> AnnualTarget:
    data = {
        "tier1_min": Decimal("1000000"),
        "tier1_count": 3,
        "tier2_min": Decimal("500000"),
        "tier2_count": 6,
        "tier3_min": Decimal("100000"),
        "tier3_count": 9,
        "signed_investment": Decimal("200000"),
        "funds_in_place": Decimal("40000"),
    }
    data.update(extra)
    return AnnualTarget.objects.create(district=district, year=year, **data)


def funds(world, project, amount, received_on: datetime.date) -> FundsEntry:
    return FundsEntry.objects.create(
        project=project,
        received_on=received_on,
        amount=Decimal(amount),
        origin=FundsOrigin.IN_CITY,
        use=FundsUse.FIXED_ASSETS,
        recorded_by=world.user_bureau,
    )


def grow(world, n: int, tag: str = "a") -> list[Project]:
    """``n`` more projects of district ``tag`` with every row the screen counts or lists:
    stages, a red or yellow signal for one in two, funds, a stage event and a light
    snapshot this week."""
    district = getattr(world, f"district_{tag}")
    stages = [Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCTION]
    projects = []
    for i in range(n):
        project = ProjectFactory(
            district=district,
            enterprise=getattr(world, f"enterprise1_{tag}"),
            industry=getattr(world, f"industry_{tag}"),
            park=getattr(world, f"park{1 + i % 2}_{tag}"),
            stage=stages[i % len(stages)],
            total_investment=Decimal(1000 * (i + 1)),
            signed_on=D(2026, 3, 1) if stages[i % len(stages)] != Stage.LEAD else None,
            stage_changes=False,
        )
        projects.append(project)
        if i % 2:
            red_signal(
                project, f"事项{i}超期", D(2026, 6, 1), light="red" if i % 4 == 1 else "yellow"
            )
        funds(world, project, 100, D(2026, 5, 1))
        stage_event(world, project, Stage.NEGOTIATING, Stage.SIGNED, moment(D(2026, 6, 12)))
        reason = {"title": f"事项{i}超期", "department": "区建设局", "due_on": "2026-06-01"}
        snapshot(project, D(2026, 6, 13), "red" if i % 2 else "yellow", [reason])
    return projects
