"""Complaints for tests, made through the services."""

from __future__ import annotations

from zhaoshang.complaints import services


def make_complaint(world, tag: str = "a", *, project=None, by=None, **extra):
    """A complaint received by the district's supervision office, about project1 of the
    district and against its 建设局 unless told otherwise."""
    suffix = "" if tag == "a" else "_b"
    project = project or getattr(world, f"project1_{tag}")
    data = {
        "district": getattr(world, f"district_{tag}"),
        "enterprise": project.enterprise,
        "project": project,
        "department": getattr(world, f"dept_works_{tag}"),
        "channel": "phone",
        "category": "fines",
        "text": "执法人员对企业重复罚款。",
        "contact_name": "王经理",
        "contact_phone": "13800000000",
    }
    data.update(extra)
    return services.receive_complaint(by or getattr(world, f"user_supervisor{suffix}"), **data)
