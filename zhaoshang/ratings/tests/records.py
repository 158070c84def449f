"""Records of every kind a rating rates, ready to be rated (written directly, as a page's
rows for query counts): done approval cases, resolved needs, answered complaints and
visits carried out, of project1_a's enterprise."""

from __future__ import annotations

import datetime
import itertools

from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.inspections.models import InspectionRequest, InspectionVisit
from zhaoshang.service.models import Need

DAY = datetime.date(2026, 6, 1)
_numbers = itertools.count(1)


def done_case(world, item: ApprovalItem) -> ApprovalCase:
    return ApprovalCase.objects.create(
        district=world.district_a,
        project=world.project1_a,
        item=item,
        department=item.department,
        registered_on=DAY,
        registered_by=world.user_service_center,
        time_limit=item.time_limit,
        time_limit_unit=item.time_limit_unit,
        status="done",
        done_on=DAY,
    )


def resolved_need(world) -> Need:
    n = next(_numbers)
    return Need.objects.create(
        district=world.district_a,
        number=f"WT-2026-{n:04d}",
        project=world.project1_a,
        raised_by=world.user_officer,
        raised_on=DAY,
        category="utilities",
        title=f"用电增容{n}",
        description="需要增容。",
        department=world.dept_works_a,
        due_workdays=5,
        due_on=DAY,
        status="resolved",
        resolved_on=DAY,
    )


def answered_complaint(world) -> Complaint:
    complaint = make_complaint(world)
    Complaint.objects.filter(pk=complaint.pk).update(status="answered", found_on=DAY)
    complaint.refresh_from_db()
    return complaint


def carried_out_visit(world) -> InspectionVisit:
    n = next(_numbers)
    request = InspectionRequest.objects.create(
        district=world.district_a,
        number=f"JC-2026-{n:04d}",
        kind="inspection",
        department=world.dept_works_a,
        purpose="安全检查",
        legal_basis="《安全生产法》",
        planned_on=DAY,
        people="张三",
        status="approved",
        filed_on=DAY,
        filed_by=world.user_department,
    )
    return InspectionVisit.objects.create(
        district=world.district_a,
        request=request,
        enterprise=world.enterprise1_a,
        visit_on=DAY,
        carried_out_on=DAY,
    )


def free_items(world, n: int) -> list[ApprovalItem]:
    used = ApprovalCase.objects.filter(project=world.project1_a).values("item")
    return list(ApprovalItem.objects.filter(district=world.district_a).exclude(pk__in=used)[:n])


def each_kind(world, n: int) -> list[tuple[str, object]]:
    """n records of each kind: [(kind, record), …]."""
    out = []
    for item in free_items(world, n):
        out.append(("case", done_case(world, item)))
    for _ in range(n):
        out.append(("need", resolved_need(world)))
        out.append(("complaint", answered_complaint(world)))
        out.append(("visit", carried_out_visit(world)))
    return out
