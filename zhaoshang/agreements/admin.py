"""Admin of agreements and commitments. The reverse-schedule templates are reference data
the district's administrators keep here; agreements, obligations and commitments change
only through the services (pages, API), so the admin shows them read-only; a filed
archive version can be neither changed nor deleted by anybody."""

from __future__ import annotations

from django.contrib import admin

from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    ChangeRequest,
    Commitment,
    Milestone,
    Obligation,
    ObligationBreach,
    ScheduleTemplate,
    TemplateStep,
)
from zhaoshang.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin, ScopedInline


class TemplateStepInline(ScopedInline):
    """Steps of a template; their departments are the district's (a scoped choice)."""

    model = TemplateStep
    extra = 1
    fields = ("seq", "name", "duration_workdays", "owner_department")


@admin.register(ScheduleTemplate)
class ScheduleTemplateAdmin(ScopedAdmin):
    list_display = ("name", "is_active", "district")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = [TemplateStepInline]


class ObligationInline(ReadOnlyInline):
    model = Obligation
    fields = ("term", "party", "department", "kind", "title", "target_amount", "due_on")
    readonly_fields = fields


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """Recorded and edited on the project's agreement tab (or the API)."""

    list_display = ("number", "project", "signed_on", "contracted_investment", "district")
    search_fields = ("number", "project__name", "project__code")
    list_select_related = ("project", "district")
    inlines = [ObligationInline]


@admin.register(ObligationBreach)
class ObligationBreachAdmin(ReadOnlyAdmin):
    list_display = ("obligation", "project", "party", "department", "due_on", "occurred_on")
    list_filter = ("party",)
    list_select_related = ("obligation", "project", "department")


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ("seq", "name", "duration_workdays", "planned_start_on", "due_on", "done_on")
    readonly_fields = fields


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "department", "target_on", "filed_version", "district")
    search_fields = ("title", "project__name")
    list_select_related = ("project", "department", "district")
    inlines = [MilestoneInline]


@admin.register(ArchiveVersion)
class ArchiveVersionAdmin(ReadOnlyAdmin):
    """Filed versions are shown, never changed or deleted."""

    list_display = ("commitment", "number", "park", "committee", "filed_by", "filed_at")
    list_select_related = ("commitment", "park", "committee", "filed_by")
    readonly_fields = (
        "commitment",
        "number",
        "park",
        "committee",
        "filed_by",
        "filed_at",
        "note",
        "content",
        "content_sha256",
    )

    def get_actions(self, request):
        return {}


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """A change of a filed commitment is requested and decided on the commitment's page
    (or the API): the park committee or the supervision office approves it and it is filed
    as a new archive version. Shown here, never changed or deleted."""

    list_display = (
        "commitment",
        "status",
        "old_target_on",
        "new_target_on",
        "requested_by",
        "requested_at",
        "decided_by",
        "district",
    )
    list_filter = ("status",)
    search_fields = ("commitment__title", "commitment__project__name", "reason")
    list_select_related = (
        "commitment",
        "commitment__project",
        "requested_by",
        "decided_by",
        "district",
    )
