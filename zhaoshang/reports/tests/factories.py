"""Hand-built records for the report tests (written straight to the tables, as the world is:
the reports read the tables, not the services' side effects)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project

_seq = count(100)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def add_project(
    world, tag="a", *, park=None, industry=None, stage=Stage.STARTED, investment="1000"
):
    n = next(_seq)
    district = getattr(world, f"district_{tag}")
    return Project.objects.create(
        district=district,
        code=f"ZS-T-{n:04d}",
        name=f"测试项目{n}",
        enterprise=getattr(world, f"enterprise2_{tag}"),
        industry=industry or getattr(world, f"industry_{tag}"),
        park=park or getattr(world, f"park1_{tag}"),
        stage=stage,
        total_investment=Decimal(investment),
        signed_on=day("2025-06-01"),
    )


def _someone(project):
    from zhaoshang.org.models import User

    return User.objects.filter(district=project.district).order_by("id").first()


def add_funds(project, amount: str, on: str = "2026-05-10"):
    return FundsEntry.objects.create(
        project=project,
        received_on=day(on),
        amount=Decimal(amount),
        origin="in_city",
        use="fixed_assets",
        recorded_by=_someone(project),
    )


def add_monthly_report(project, month: str, this_month: str, cumulative: str, text="主体施工"):
    return MonthlyReport.objects.create(
        project=project,
        month=day(month),
        investment_this_month=Decimal(this_month),
        investment_cumulative=Decimal(cumulative),
        image_progress=text,
        submitted_at=timezone.now(),
        submitted_by=_someone(project),
    )


def add_signal(project, light: str, title: str, department=None, due_on: str | None = None):
    from zhaoshang.monitoring.models import Signal

    return Signal.objects.create(
        district=project.district,
        subject="case",
        content_type=ContentType.objects.get_for_model(Project),
        object_id=next(_seq) * 1000,
        project=project,
        department=department,
        title=title,
        due_on=day(due_on) if due_on else None,
        light=light,
        since=day("2026-06-01"),
        checked_on=day("2026-06-15"),
    )


def add_case(world, department, *, done_on: str | None, due_on: str, tag="a", project=None):
    from zhaoshang.approvals.choices import CaseStatus
    from zhaoshang.approvals.models import ApprovalCase

    item = getattr(world, f"item_works_{tag}")
    return ApprovalCase.objects.create(
        district=getattr(world, f"district_{tag}"),
        project=project or add_project(world, tag),
        item=item,
        department=department,
        registered_on=day("2026-01-05"),
        registered_by=getattr(world, f"user_service_center{'' if tag == 'a' else '_b'}"),
        time_limit=item.time_limit,
        time_limit_unit=item.time_limit_unit,
        due_on=day(due_on),
        done_on=day(done_on) if done_on else None,
        status=CaseStatus.DONE if done_on else CaseStatus.IN_PROGRESS,
    )


def add_milestone(world, department, *, due_on: str, done_on: str | None, tag="a"):
    from zhaoshang.agreements.models import Commitment, Milestone

    commitment = Commitment.objects.create(
        district=getattr(world, f"district_{tag}"),
        project=getattr(world, f"project1_{tag}"),
        department=department,
        title="三通一平",
        content="完成场地平整",
        start_on=day("2026-01-05"),
        target_on=day(due_on),
        created_by=getattr(world, f"user_bureau{'' if tag == 'a' else '_b'}"),
    )
    return Milestone.objects.create(
        commitment=commitment,
        seq=1,
        name="场地平整",
        duration_workdays=10,
        planned_start_on=day("2026-01-05"),
        due_on=day(due_on),
        owner_department=department,
        done_on=day(done_on) if done_on else None,
    )


def add_complaint(world, department, *, received_on: str, answer_by: str, answered_on=None,
                  outcome="", tag="a"):  # fmt: skip
    from zhaoshang.complaints.models import Complaint

    project = getattr(world, f"project1_{tag}")
    return Complaint.objects.create(
        district=project.district,
        number=f"TS-{next(_seq)}",
        enterprise=project.enterprise,
        project=project,
        department=department,
        channel="phone",
        category="fines",
        text="重复罚款",
        status="answered" if answered_on else "dispatched",
        received_on=day(received_on),
        answer_by=day(answer_by),
        answered_on=day(answered_on) if answered_on else None,
        outcome=outcome,
        received_by=getattr(world, f"user_supervisor{'' if tag == 'a' else '_b'}"),
    )


def add_issued(world, kind="monthly", period="2026-05", tag="a", version=1):
    """An issued report written straight to the table, with tiny files."""
    from django.core.files.base import ContentFile

    from zhaoshang.reports.models import IssuedReport

    report = IssuedReport(
        district=getattr(world, f"district_{tag}"),
        kind=kind,
        period=period,
        version=version,
        number=f"招商办〔2026〕{next(_seq)}号",
        title=f"测试报告{kind}{period}",
        issued_by=getattr(world, f"user_admin{'' if tag == 'a' else '_b'}"),
        issued_at=timezone.now(),
        figures={"title": "测试", "sections": [], "summary": [], "as_of": "2026-06-15"},
    )
    for fmt in ("xlsx", "docx", "pdf"):
        setattr(report, fmt, ContentFile(b"x", name=f"t.{fmt}"))
    report.save()
    return report


def add_job(world, kind="monthly", tag="a", user=None):
    from zhaoshang.reports.models import ReportJob

    return ReportJob.objects.create(
        district=getattr(world, f"district_{tag}"),
        kind=kind,
        period="2026-05" if kind == "monthly" else "2026-Q1",
        requested_by=user or getattr(world, f"user_admin{'' if tag == 'a' else '_b'}"),
        status="running",
        progress=50,
    )


def add_entry(world, department, points: str, *, year=2025, rule_code="", tag="a"):
    from zhaoshang.assessment.models import LedgerEntry

    return LedgerEntry.objects.create(
        district=getattr(world, f"district_{tag}"),
        department=department,
        year=year,
        points=Decimal(points),
        rule_code=rule_code,
        reason="测试扣分",
        occurred_on=day(f"{year}-06-30"),
    )
