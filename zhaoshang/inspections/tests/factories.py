"""Inspection requests for tests, made through the services."""

from __future__ import annotations

import datetime

from zhaoshang.inspections import services

PLANNED = datetime.date(2026, 6, 25)  # after the quiet days (1–20) of June


def make_request(world, tag: str = "a", *, by=None, approve=False, **extra):
    """A routine inspection of enterprise1 of the district by its 建设局, filed by the
    world's department handler, on 25 June 2026; ``approve`` has the supervision office
    approve it."""
    suffix = "" if tag == "a" else "_b"
    data = {
        "district": getattr(world, f"district_{tag}"),
        "department": getattr(world, f"dept_works_{tag}"),
        "kind": "inspection",
        "enterprises": [getattr(world, f"enterprise1_{tag}")],
        "purpose": "建筑施工安全检查",
        "legal_basis": "《建设工程安全生产管理条例》第四十条",
        "planned_on": PLANNED,
        "people": "张三（执法证号 51010001）、李四（执法证号 51010002）",
    }
    data.update(extra)
    request = services.file_request(by or getattr(world, f"user_department{suffix}"), **data)
    if approve:
        request = services.approve_request(getattr(world, f"user_supervisor{suffix}"), request)
    return request


def no_cap(world) -> None:
    """No yearly cap on the district's inspections (the query-count guards grow past it)."""
    from zhaoshang.inspections.models import InspectionSettings

    InspectionSettings.objects.update_or_create(
        district=world.district_a, defaults={"yearly_cap": 1000}
    )
