"""Approval cases of an enterprise's project in every state the service hall shows, driven
through the approvals services (registered on 2026-06-01; the world's clock stands on
2026-06-15):

- ``done``: 企业投资项目备案 (XM-01), done on 06-03 with its approval number and certificate;
- ``paused``: 用地预审 (XM-02), accepted on 06-04, paused for 补正 on 06-05 (still paused);
- ``resumed``: XM-05, accepted, paused 06-05 and resumed 06-08: open, with days left;
- ``returned``: XM-04, returned on 06-05 with its reason;
- ``natural``: 供水接入 (SZ-02, 10 natural days), materials complete on 06-10;
- ``pending``: XM-03, registered, waiting for XM-02.
"""

from __future__ import annotations

import datetime

import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import PauseKind
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.org.models import User

REGISTERED = "2026-06-01 09:00 +0800"
PDF = b"%PDF-1.4\n% certificate\n"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def handler(world, department) -> User:
    """A handler of the department, with a phone the enterprise may call."""
    user, made = User.objects.get_or_create(
        username=f"portal_handler{department.pk}",
        defaults={
            "district": world.district_a,
            "department": department,
            "rank": "general",
            "real_name": f"{department.short_name or department.name}经办人",
            "phone": "023-6000" + str(department.pk).zfill(4)[-4:],
        },
    )
    if made:
        user.groups.add(Group.objects.get(name="department"))
    return user


def item(world, code: str) -> ApprovalItem:
    return ApprovalItem.objects.get(district=world.district_a, code=code)


def register(world, project, code: str):
    with time_machine.travel(REGISTERED, tick=False):
        return services.register_case(world.user_service_center, project, item(world, code))


def _accepted(world, project, code: str, on: str):
    case = register(world, project, code)
    h = handler(world, case.department)
    case = services.mark_materials_complete(h, case, day(on))
    return services.accept_case(h, case, day(on)), h


def done_case(world, project=None, code: str = "XM-01", certificate: bool = True):
    project = project or world.project1_a
    case, h = _accepted(world, project, code, "2026-06-01")
    upload = SimpleUploadedFile("备案证明.pdf", PDF, "application/pdf") if certificate else None
    [case] = services.complete_case(
        h, case, day("2026-06-03"), approval_number="2026-500101-04-01-000001", certificate=upload
    )
    return case


def make_cases(world, project=None) -> dict:
    """Every state of ``module docstring`` for ``project`` (project1_a by default)."""
    project = project or world.project1_a
    cases = {"done": done_case(world, project)}
    paused, h = _accepted(world, project, "XM-02", "2026-06-04")
    cases["paused"] = services.pause_case(
        h, paused, PauseKind.SUPPLEMENT, "补正：缺少勘测定界图", day("2026-06-05")
    )
    resumed, h = _accepted(world, project, "XM-05", "2026-06-04")
    resumed = services.pause_case(
        h, resumed, PauseKind.SUPPLEMENT, "补正：环评文件签章不全", day("2026-06-05")
    )
    cases["resumed"] = services.resume_case(h, resumed, day("2026-06-15"))
    returned = register(world, project, "XM-04")
    cases["returned"] = services.return_case(
        handler(world, returned.department),
        returned,
        "申请材料与项目备案信息不一致",
        day("2026-06-05"),
    )
    natural = register(world, project, "SZ-02")
    cases["natural"] = services.mark_materials_complete(
        handler(world, natural.department), natural, day("2026-06-10")
    )
    cases["pending"] = register(world, project, "XM-03")
    return cases
