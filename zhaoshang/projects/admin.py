from django.contrib import admin

from zhaoshang.core.admin_base import ScopedAdmin, ScopedInline
from zhaoshang.projects.models import MaterialType, Project, ProjectTeamMember


@admin.register(MaterialType)
class MaterialTypeAdmin(ScopedAdmin):
    national = True  # the national list of material types
    list_display = ("code", "name", "name_en", "sort_order")
    search_fields = ("code", "name", "name_en")


class TeamInline(ScopedInline):
    model = ProjectTeamMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    """Read-mostly: stage, team and code change through the services on the project pages."""

    list_display = ("code", "name", "stage", "level", "park", "industry", "district")
    list_filter = ("stage", "level", "kind")
    search_fields = ("code", "name", "name_initials")
    readonly_fields = (
        "code",
        "stage",
        "condition",
        "condition_reason",
        "signed_on",
        "registered_on",
        "land_delivered_on",
        "started_on",
        "completed_on",
        "production_on",
        "capacity_on",
    )
    inlines = [TeamInline]
    raw_id_fields = ("enterprise", "designated_leader")
