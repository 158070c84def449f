"""Admin of inspections: the district's guards (quiet days, yearly cap, emergency filing
limit) are edited here by its administrator; requests, visits and reports are read-only —
they change only through the services (the pages and the API)."""

from __future__ import annotations

from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin
from zhaoshang.inspections.models import (
    InspectionRequest,
    InspectionSettings,
    InspectionVisit,
    JointInspection,
    UnapprovedVisitReport,
)


@admin.register(InspectionSettings)
class InspectionSettingsAdmin(DistrictScopedAdmin):
    list_display = (
        "district",
        "quiet_from_day",
        "quiet_to_day",
        "yearly_cap",
        "emergency_workdays",
    )


@admin.register(InspectionRequest)
class InspectionRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "department", "planned_on", "status", "is_emergency")
    list_filter = ("status", "kind", "is_emergency")
    search_fields = ("number", "purpose")
    list_select_related = ("department",)


@admin.register(InspectionVisit)
class InspectionVisitAdmin(ReadOnlyAdmin):
    list_display = ("request", "enterprise", "visit_on", "carried_out_on", "rating")
    list_select_related = ("request", "enterprise")
    exclude = ("code",)


@admin.register(JointInspection)
class JointInspectionAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "visit_on", "lead_department")
    list_select_related = ("enterprise", "lead_department")


@admin.register(UnapprovedVisitReport)
class UnapprovedVisitReportAdmin(ReadOnlyAdmin):
    list_display = ("visited_on", "enterprise", "department", "kind", "complaint")
    list_select_related = ("enterprise", "department", "complaint")
