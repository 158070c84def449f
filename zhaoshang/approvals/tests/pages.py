"""Helpers shared by the approval page tests."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def action_url(case, slug: str) -> str:
    return reverse("approvals:case_" + slug.replace("-", "_"), args=[case.pk])


def worklist_ids(client, **params) -> list[int]:
    html = client.get(reverse("approvals:worklist"), params).content.decode()
    return [int(pk) for pk in re.findall(r'data-case="(\d+)"', html)]


def make_case(
    world, *, project=None, department=None, due_on=None, status=CaseStatus.ACCEPTED, **extra
):
    """A case as the services would have left it (for list tests: due dates in the past)."""
    n = ApprovalItem.objects.count()
    item = ApprovalItem.objects.create(
        district=world.district_a,
        code=f"T-{n}",
        name=f"测试事项{n}",
        department=department or world.dept_works_a,
        phase="construction",
    )
    return ApprovalCase.objects.create(
        district=world.district_a,
        project=project or world.project1_a,
        item=item,
        department=item.department,
        status=status,
        registered_on=day("2026-06-01"),
        registered_by=world.user_service_center,
        materials_complete_on=day("2026-06-01") if due_on else None,
        accepted_on=day("2026-06-01") if status != CaseStatus.PENDING else None,
        time_limit=3,
        time_limit_unit="workday",
        due_on=due_on,
        **extra,
    )
