from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhaoshang.org.models import (
    Department,
    District,
    Industry,
    IndustryClass,
    Park,
    User,
    WorkingGroup,
    Zone,
)


def _has_district(model) -> bool:
    return any(f.name == "district" for f in model._meta.concrete_fields)


class DistrictScopedAdmin(SimpleHistoryAdmin):
    """Admin pages show a district admin only their own district's records, offer only
    their district's records in choices, and file new records in their district."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(district_id=request.user.district_id)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and _has_district(self.model):
            exclude.append("district")
        return exclude

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if not request.user.is_superuser and _has_district(related):
            kwargs["queryset"] = related._default_manager.filter(
                district_id=request.user.district_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if not request.user.is_superuser and _has_district(related):
            kwargs["queryset"] = related._default_manager.filter(
                district_id=request.user.district_id
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and _has_district(self.model):
            obj.district_id = request.user.district_id
        super().save_model(request, obj, form, change)

    def get_list_filter(self, request):
        base = list(super().get_list_filter(request))
        return (["district", *base]) if request.user.is_superuser else base


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "city")


@admin.register(Department)
class DepartmentAdmin(DistrictScopedAdmin):
    list_display = ("name", "short_name", "kind", "head", "contact", "district")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")


@admin.register(Zone)
class ZoneAdmin(DistrictScopedAdmin):
    list_display = ("code", "name", "area_km2", "district")


@admin.register(Park)
class ParkAdmin(DistrictScopedAdmin):
    list_display = ("code", "name", "zone", "area_km2", "district")
    list_filter = ("zone",)


@admin.register(IndustryClass)
class IndustryClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Industry)
class IndustryAdmin(DistrictScopedAdmin):
    list_display = ("name", "category", "gbt_class", "district")
    list_filter = ("category",)
    autocomplete_fields = ("gbt_class",)


@admin.register(WorkingGroup)
class WorkingGroupAdmin(DistrictScopedAdmin):
    list_display = ("name", "kind", "parent", "industry", "lead", "district")
    list_filter = ("kind",)
    filter_horizontal = ("departments",)


@admin.register(User)
class UserAdmin(BaseUserAdmin, DistrictScopedAdmin):
    list_display = ("username", "real_name", "district", "department", "rank", "is_active")
    list_filter = ("district", "rank", "groups", "is_active")
    search_fields = ("username", "real_name", "phone")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Zhaoshang"),
            {
                "fields": (
                    "real_name",
                    "district",
                    "department",
                    "park",
                    "enterprise",
                    "rank",
                    "title",
                    "phone",
                )
            },
        ),
    )
    autocomplete_fields = ("enterprise",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # A district admin assigns roles (groups) but never superuser rights or raw permissions.
        hidden = {"is_superuser", "user_permissions", "district"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]
