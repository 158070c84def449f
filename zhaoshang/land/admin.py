"""Admin of land. The annual land plans and the clean-up lead (the leader holding the
分管工业副区长 duty) are reference data edited here (the thresholds are the district's one
table in the exits admin, read by the exit rules and the clean-up);
parcels and campaigns change through the services (pages and API), which check the rules,
keep the audit trail and lock against concurrent edits — they are read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin
from zhaoshang.core.roles import Role
from zhaoshang.land.models import (
    CampaignEntry,
    CleanupLead,
    LandCampaign,
    LandParcel,
    LandPlan,
)


@admin.register(LandParcel)
class LandParcelAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "park", "area", "land_use", "status", "project", "district")
    list_filter = ("status", "land_use")
    search_fields = ("code", "name", "contract_number")
    list_select_related = ("park", "project", "district")


class _DistrictFormMixin:
    """The district is not on the form of a district admin (it is theirs): the uniqueness
    rules that include it are checked here rather than left to the database."""

    district_id = None  # set by the admin for a district admin

    def _district_id(self):
        return self.district_id or getattr(self.cleaned_data.get("district"), "pk", None)


class LandPlanForm(_DistrictFormMixin, forms.ModelForm):
    class Meta:
        model = LandPlan
        fields = ["district", "year", "quota", "major_reserve", "note"]

    def clean(self):
        data = super().clean()
        quota, reserve = data.get("quota"), data.get("major_reserve")
        if quota is not None and reserve is not None and reserve > quota:
            self.add_error("major_reserve", _("The reserve cannot exceed the quota."))
        district_id, year = self._district_id(), data.get("year")
        if district_id and year:
            taken = LandPlan.objects.filter(district_id=district_id, year=year)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("year", _("The district already has a land plan for this year."))
        return data


class CleanupLeadForm(_DistrictFormMixin, forms.ModelForm):
    class Meta:
        model = CleanupLead
        fields = ["district", "leader"]

    def clean(self):
        data = super().clean()
        district_id, leader = self._district_id(), data.get("leader")
        if leader is not None and district_id:
            if leader.district_id != district_id:
                self.add_error("leader", _("The leader belongs to another district."))
            elif not leader.groups.filter(name=Role.LEADER).exists():
                self.add_error("leader", _("Choose a user with the district leader role."))
        if district_id:
            taken = CleanupLead.objects.filter(district_id=district_id)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(None, _("The district already has its clean-up lead."))
        return data


class _DistrictFormAdmin(DistrictScopedAdmin):
    """The form's ``district_id`` (its uniqueness checks) is set by ScopedAdmin.get_form."""


@admin.register(LandPlan)
class LandPlanAdmin(_DistrictFormAdmin):
    form = LandPlanForm
    list_display = ("year", "quota", "major_reserve", "district")
    list_select_related = ("district",)


@admin.register(CleanupLead)
class CleanupLeadAdmin(_DistrictFormAdmin):
    form = CleanupLeadForm
    list_display = ("leader", "district")
    list_select_related = ("leader", "district")


@admin.register(LandCampaign)
class LandCampaignAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "as_of", "status", "report_on", "district")
    list_filter = ("status", "half")
    list_select_related = ("district",)


@admin.register(CampaignEntry)
class CampaignEntryAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "project", "category", "decision", "decided_at")
    list_filter = ("category", "decision")
    list_select_related = ("campaign", "project")
