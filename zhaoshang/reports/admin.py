"""Issued reports and jobs in the admin: read-only (an issued report is frozen)."""

from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.reports.models import IssuedReport, ReportJob


@admin.register(IssuedReport)
class IssuedReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "period", "version", "issued_by", "issued_at"]
    list_filter = ["kind"]
    exclude = ["figures"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period", "action", "status", "progress", "requested_by"]
    list_filter = ["status", "kind"]
    exclude = ["figures"]
