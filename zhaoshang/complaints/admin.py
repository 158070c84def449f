"""Admin of complaints: read-only. They change only through the services (the pages and
the API), which check the rules, keep the audit trail and notify people."""

from __future__ import annotations

from django.contrib import admin

from zhaoshang.approvals.admin import ReadOnlyAdmin
from zhaoshang.complaints.models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("number", "received_on", "enterprise", "category", "department", "status")
    list_filter = ("status", "category", "channel")
    search_fields = ("number", "text")
    list_select_related = ("enterprise", "department")
