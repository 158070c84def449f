from django.contrib import admin

from zhaoshang.assessment.models import AssessmentRule, AssessmentYear, LedgerEntry, Objection
from zhaoshang.core.admin_base import ScopedAdmin


@admin.register(AssessmentRule)
class AssessmentRuleAdmin(ScopedAdmin):
    list_display = ("code", "points", "is_active", "district")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdmin):
    """Rule entries are written by the system; they are shown, not edited here."""

    list_display = ("occurred_on", "department", "points", "rule_code", "reason", "district")
    list_filter = ("rule_code", "year")

    def has_add_permission(self, request):
        return False  # hand entries go through the assessment pages (reason, evidence, audit)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentYear)
class AssessmentYearAdmin(ScopedAdmin):
    """Base scores and finishing go through the assessment pages (audited); shown here."""

    list_display = ("year", "base_score", "status", "finished_at", "district")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(ScopedAdmin):
    """Objections are filed and answered on the assessment pages; shown here."""

    list_display = ("filed_at", "department", "year", "status", "district")
    list_filter = ("status", "year")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
