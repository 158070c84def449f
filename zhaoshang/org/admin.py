from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import roles
from zhaoshang.core.admin_base import ScopedAdmin
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

# The generic scope moved to core (every app's admin uses it); the old name stays importable.
DistrictScopedAdmin = ScopedAdmin


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    """National list of districts: a district administrator sees their own one. The
    go-live date (上线日期) is set here: nobody is docked in the assessment for a duty that
    fell due before it (the ledger a district brings in, 补录, is its history)."""

    list_display = ("code", "name", "city", "go_live_on")


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
class IndustryClassAdmin(ScopedAdmin):
    national = True  # GB/T 4754, the same for every district
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
    list_display = ("name", "kind", "parent", "industry", "lead", "office", "district")
    list_filter = ("kind",)
    filter_horizontal = ("departments",)


# Roles that only a city administrator (a superuser) gives: ``city`` reads every district,
# ``admin`` administers one (and, with is_staff, opens /admin/).
RESERVED_ROLES = frozenset({roles.Role.ADMIN.value, roles.Role.CITY.value})


def is_administrator(user) -> bool:
    """An account that administers: superuser, staff, or holding a reserved role."""
    return bool(
        user.is_superuser or user.is_staff or user.groups.filter(name__in=RESERVED_ROLES).exists()
    )


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """The roles (groups) of a user; ``reserved`` are the ones this editor may not give,
    refused by name rather than as an unknown choice."""

    reserved: frozenset[str] = frozenset()

    def clean(self, value):
        if self.reserved and value:
            asked = [v for v in value if str(v).isdigit()]
            refused = sorted(
                Group.objects.filter(pk__in=asked, name__in=self.reserved).values_list(
                    "name", flat=True
                )
            )
            if refused:
                raise ValidationError(
                    _("Only a city administrator (a superuser) may grant the role: %(roles)s."),
                    code="reserved_role",
                    params={"roles": ", ".join(str(roles.Role(r).label) for r in refused)},
                )
        return super().clean(value)


class UserChangeForm(BaseUserChangeForm):
    grants_reserved_roles = True  # False on a district administrator's form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("groups")
        if field is None or self.grants_reserved_roles:
            return
        held = set()
        if self.instance.pk:
            held = set(
                self.instance.groups.filter(name__in=RESERVED_ROLES).values_list("name", flat=True)
            )
        # A role the user already holds may be kept (or dropped); the others not given.
        reserved = RESERVED_ROLES - held
        field.queryset = field.queryset.exclude(name__in=reserved)
        field.reserved = frozenset(reserved)


@admin.register(User)
class UserAdmin(BaseUserAdmin, DistrictScopedAdmin):
    """Users of the district. A district administrator manages its people but not its
    administrators: the ``admin`` and ``city`` roles, staff status and superuser rights are
    given only by a city administrator (a superuser); fellow administrators are shown to
    them read-only; superusers are not shown at all."""

    form = UserChangeForm
    list_display = ("username", "real_name", "district", "department", "rank", "is_active")
    list_filter = ("district", "rank", "groups", "is_active")
    list_select_related = ("district", "department")
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
                    "is_principal_leader",
                )
            },
        ),
    )
    # A new account's district is chosen when it is made (it is read-only afterwards); a
    # district administrator's new accounts are in their district.
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Zhaoshang"), {"fields": ("real_name", "district")}),
    )
    autocomplete_fields = ("enterprise",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(is_superuser=False)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.grants_reserved_roles = request.user.is_superuser
        return form

    def _manages(self, request, obj) -> bool:
        """A district administrator edits themselves and the non-administrators."""
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return True
        return not is_administrator(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and obj.pk == request.user.pk:
            return False
        return super().has_delete_permission(request, obj) and self._manages(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # A district admin assigns roles (groups) but never administration rights.
        hidden = {"is_superuser", "is_staff", "user_permissions"}
        if obj is None:
            hidden.add("district")  # theirs
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]
