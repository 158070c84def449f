"""Projects with their stage dates, agreements, funds and approval cases for the KPI tests,
written directly (as the services would have dated them, each with the domain event a
service writes with it: the KPI snapshots go stale on it), and targets through the
service."""

from __future__ import annotations

import datetime
from decimal import Decimal

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Agreement, Obligation
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.audit import log_event
from zhaoshang.kpis import services
from zhaoshang.projects.choices import FundsOrigin, FundsUse, Level, Stage
from zhaoshang.projects.models import FundsEntry, Project

_n = iter(range(1, 1_000_000))
D = datetime.date


def make_project(world, tag: str = "a", *, signed_on=None, **extra) -> Project:
    """A project of the district in park 1 (code ``KPI-…``), signed on ``signed_on``."""
    stage = Stage.SIGNED if signed_on else Stage.LEAD
    for field, reached in (
        ("capacity_on", Stage.CAPACITY),
        ("production_on", Stage.PRODUCTION),
        ("started_on", Stage.STARTED),
        ("registered_on", Stage.REGISTERED),
    ):
        if extra.get(field):
            stage = reached
            break
    data = {
        "district": getattr(world, f"district_{tag}"),
        "code": f"KPI-{next(_n):05d}",
        "name": "指标测试项目",
        "enterprise": getattr(world, f"enterprise1_{tag}"),
        "industry": getattr(world, f"industry_{tag}"),
        "park": getattr(world, f"park1_{tag}"),
        "level": Level.GENERAL,
        "stage": stage,
        "total_investment": Decimal("100"),
        "signed_on": signed_on,
    }
    data.update(extra)
    project = Project.objects.create(**data)
    log_event(None, "project.created", project, summary=project.name)
    return project


def add_agreement(world, project, contracted, *, obligations=()) -> Agreement:
    """An agreement with obligations given as (kind, due_on, {fields})."""
    agreement = Agreement.objects.create(
        district=project.district,
        project=project,
        number=f"XY-{next(_n)}",
        signed_on=project.signed_on,
        government_party="区人民政府",
        enterprise_party="投资方",
        contracted_investment=Decimal(contracted),
        created_by=world.user_bureau,
    )
    for kind, due_on, fields in obligations:
        Obligation.objects.create(
            district=project.district,
            agreement=agreement,
            party=Party.ENTERPRISE,
            kind=kind,
            title="义务",
            due_on=due_on,
            **fields,
        )
    log_event(None, "agreement.created", agreement, summary=agreement.number)
    return agreement


def started_by(due_on):
    return (ObligationKind.STAGE, due_on, {"target_stage": Stage.STARTED})


def funds_of(amount, due_on):
    return (ObligationKind.FUNDS, due_on, {"target_amount": Decimal(amount)})


def add_funds(world, project, amount, received_on) -> FundsEntry:
    log_event(None, "project.funds_recorded", project, summary=str(amount))
    return FundsEntry.objects.create(
        project=project,
        received_on=received_on,
        amount=Decimal(amount),
        origin=FundsOrigin.IN_CITY,
        use=FundsUse.FIXED_ASSETS,
        recorded_by=world.user_bureau,
    )


def add_case(world, project, item, *, due_on, done_on=None) -> ApprovalCase:
    log_event(None, "case.registered", project, summary=item.name)
    return ApprovalCase.objects.create(
        district=project.district,
        project=project,
        item=item,
        department=item.department,
        status=CaseStatus.DONE if done_on else CaseStatus.IN_PROGRESS,
        registered_on=D(2024, 12, 1),
        registered_by=world.user_service_center,
        time_limit=item.time_limit,
        time_limit_unit=item.time_limit_unit,
        due_on=due_on,
        done_on=done_on,
    )


def make_target(world, tag: str = "a", *, by=None, **extra):
    suffix = "" if tag == "a" else "_b"
    data = {
        "year": 2026,
        **services.default_tiers(),
        "signed_investment": Decimal("100000"),
        "funds_in_place": Decimal("50000"),
    }
    data.update(extra)
    return services.create_target(
        by or getattr(world, f"user_bureau{suffix}"),
        district=getattr(world, f"district_{tag}"),
        **data,
    )
