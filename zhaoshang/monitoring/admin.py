"""Admin of monitoring: a district's light rules and escalation steps are configured here
(SPEC §11); the signals are written by the daily scan and read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin
from zhaoshang.monitoring.models import EscalationRule, LightRule, LightSnapshot, Signal


class _OnePerDistrictForm(forms.ModelForm):
    """The district is not on a district admin's form (it is theirs), so the uniqueness
    within the district is checked here rather than left to the database."""

    district_id = None  # set by the admin for a district admin
    unique_field: str | None = None
    taken_message = ""

    def clean(self):
        data = super().clean()
        district_id = self.district_id or getattr(data.get("district"), "pk", None)
        if not district_id:
            return data
        taken = self._meta.model.objects.filter(district_id=district_id)
        if self.unique_field:
            value = data.get(self.unique_field)
            if value is None:
                return data
            taken = taken.filter(**{self.unique_field: value})
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error(self.unique_field, str(self.taken_message))
        return data


class LightRuleForm(_OnePerDistrictForm):
    unique_field = "subject"

    class Meta:
        model = LightRule
        fields = ["district", "subject", "yellow_workdays", "yellow_gap", "red_gap"]

    def clean(self):
        self.taken_message = _("This subject already has a light rule in the district.")
        return super().clean()


class EscalationRuleForm(_OnePerDistrictForm):
    class Meta:
        model = EscalationRule
        fields = ["district", "to_secretary", "to_manager", "to_leader", "to_meeting"]

    def clean(self):
        self.taken_message = _("The district already has its escalation steps.")
        return super().clean()


class _DistrictFormAdmin(DistrictScopedAdmin):
    """The form's ``district_id`` (its uniqueness checks) is set by ScopedAdmin.get_form."""


@admin.register(LightRule)
class LightRuleAdmin(_DistrictFormAdmin):
    form = LightRuleForm
    list_display = ("subject", "district", "yellow_workdays", "yellow_gap", "red_gap")
    list_filter = ("subject",)
    list_select_related = ("district",)


@admin.register(EscalationRule)
class EscalationRuleAdmin(_DistrictFormAdmin):
    form = EscalationRuleForm
    list_display = ("district", "to_secretary", "to_manager", "to_leader", "to_meeting")
    list_select_related = ("district",)


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ("subject", "title", "project", "light", "due_on", "level", "since")
    list_filter = ("subject", "light", "level")
    search_fields = ("title",)
    list_select_related = ("project",)


@admin.register(LightSnapshot)
class LightSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("on", "project", "light")
    list_filter = ("light",)
    date_hierarchy = "on"
    search_fields = ("project__code", "project__name")
    list_select_related = ("project",)
