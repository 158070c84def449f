"""Admin of the targets: read-only here; they are set on the targets page and through the
API (``kpis.services``), which check the rules and keep the audit trail."""

from __future__ import annotations

from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.kpis.models import AnnualTarget


@admin.register(AnnualTarget)
class AnnualTargetAdmin(ReadOnlyAdmin):
    list_display = ("year", "district", "working_group", "department", "signed_investment")
    list_filter = ("year",)
    list_select_related = ("district", "working_group", "department")
