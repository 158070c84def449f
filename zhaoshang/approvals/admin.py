"""Admin of the approval catalogue. Cases and joint decisions change only through the
services (pages, API), so the admin shows them read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from zhaoshang.approvals import services
from zhaoshang.approvals.models import (
    ApprovalCase,
    ApprovalItem,
    CasePause,
    CaseTransfer,
    JointDecision,
)
from zhaoshang.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin


class ApprovalItemAdminForm(forms.ModelForm):
    class Meta:
        model = ApprovalItem
        fields = [
            "district",
            "code",
            "name",
            "department",
            "level",
            "phase",
            "time_limit",
            "time_limit_unit",
            "special_time_limit",
            "statutory_limit",
            "statutory_limit_unit",
            "special_procedure",
            "prerequisites",
            "materials",
            "legal_basis",
            "in_green_channel",
            "is_active",
            "sort_order",
        ]

    def clean_prerequisites(self):
        """Refuse prerequisites that would close a cycle, naming it (the service's check)."""
        chosen = list(self.cleaned_data.get("prerequisites") or [])
        item = self.instance
        if not item.pk:
            return chosen  # nothing can point at a new item yet
        services.check_prerequisites(item, chosen)
        return chosen


@admin.register(ApprovalItem)
class ApprovalItemAdmin(ScopedAdmin):
    form = ApprovalItemAdminForm
    list_display = (
        "code",
        "name",
        "department",
        "level",
        "phase",
        "time_limit",
        "statutory_limit",
        "special_procedure",
        "time_limit_unit",
        "in_green_channel",
        "is_active",
        "district",
    )
    list_filter = ("phase", "level", "time_limit_unit", "in_green_channel", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("prerequisites", "materials")
    list_select_related = ("department", "district")
    ordering = ("sort_order", "id")

    def save_model(self, request, obj, form, change):
        """An item is written by the catalogue service, as on the catalogue page: the same
        checks, change history and domain event (approval_item.created / .updated)."""
        self.place(request, obj, change)
        data = form.cleaned_data
        fields = {name: data[name] for name in services.ITEM_FIELDS if name in data}
        fields["materials"] = list(data.get("materials") or [])
        fields["prerequisites"] = list(data.get("prerequisites") or [])
        if change:
            saved = services.update_item(request.user, obj, **fields)
        else:
            district = data.get("district") or request.user.district  # excluded: their own
            saved = services.create_item(request.user, district, **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """Materials and prerequisites were written with the item (save_model)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class CasePauseInline(ReadOnlyInline):
    model = CasePause
    fields = ("kind", "reason", "started_on", "ended_on", "created_by")
    readonly_fields = fields


class CaseTransferInline(ReadOnlyInline):
    model = CaseTransfer
    fields = ("transferred_on", "from_department", "to_department", "reason", "transferred_by")
    readonly_fields = fields


@admin.register(ApprovalCase)
class ApprovalCaseAdmin(ReadOnlyAdmin):
    """Cases are changed on their page (or through the API), never here."""

    list_display = (
        "project",
        "item",
        "department",
        "status",
        "materials_complete_on",
        "due_on",
        "due_is_provisional",
        "done_on",
        "district",
    )
    list_filter = ("status", "paused", "extended", "due_is_provisional")
    search_fields = ("project__code", "project__name", "item__name")
    list_select_related = ("project", "item", "department", "district")
    inlines = [CasePauseInline, CaseTransferInline]


@admin.register(JointDecision)
class JointDecisionAdmin(ReadOnlyAdmin):
    """Recorded on the project's approvals tab, which sets the common due date."""

    list_display = (
        "document_number",
        "project",
        "decided_on",
        "common_due_on",
        "common_due_is_provisional",
        "recorded_by",
        "district",
    )
    search_fields = ("document_number", "project__name")
    list_select_related = ("project", "recorded_by", "district")
