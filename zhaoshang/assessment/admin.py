from django.contrib import admin

from zhaoshang.assessment.models import AssessmentRule, LedgerEntry
from zhaoshang.org.admin import DistrictScopedAdmin


@admin.register(AssessmentRule)
class AssessmentRuleAdmin(DistrictScopedAdmin):
    list_display = ("code", "points", "is_active", "district")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(DistrictScopedAdmin):
    """Rule entries are written by the system; they are shown, not edited here."""

    list_display = ("occurred_on", "department", "points", "rule_code", "reason", "district")
    list_filter = ("rule_code", "year")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
