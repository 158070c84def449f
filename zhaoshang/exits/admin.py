"""Admin of the exit mechanism. A district's rule table (anchor, months, clearing fact,
active) and its thresholds (investment intensity, per-mu tax, plot ratio by park and
industry: one table for the benefit rule and the land clean-up) are edited here; warnings
and their steps are read-only here: they change only through the services (the scan, the
pages and the API), which check the order of the steps, keep the audit trail and notify
people."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin
from zhaoshang.exits.choices import RuleCode
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning, LandThreshold


class ExitRuleForm(forms.ModelForm):
    """The district is not on the form of a district admin (it is theirs), so the one row
    per rule is checked here rather than left to the database."""

    district_id = None  # set by the admin for a district admin

    class Meta:
        model = ExitRule
        fields = [
            "district",
            "code",
            "anchor",
            "months",
            "clears_by",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        district_id = self.district_id or getattr(data.get("district"), "pk", None)
        code = data.get("code")
        if district_id and code:
            taken = ExitRule.objects.filter(district_id=district_id, code=code)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("code", _("The district already has this rule."))
        return data


@admin.register(ExitRule)
class ExitRuleAdmin(DistrictScopedAdmin):
    form = ExitRuleForm
    list_display = ("code", "anchor", "months", "clears_by", "is_active", "district")
    list_filter = ("is_active",)
    list_select_related = ("district",)
    ordering = ("district", "months")


class LandThresholdForm(forms.ModelForm):
    """The district is not on the form of a district admin (it is theirs): the one row per
    park and industry is checked here rather than left to the database."""

    district_id = None  # set by the admin for a district admin

    class Meta:
        model = LandThreshold
        fields = [
            "district",
            "park",
            "industry",
            "min_intensity",
            "min_tax_per_mu",
            "min_plot_ratio",
        ]

    def clean(self):
        data = super().clean()
        district_id = self.district_id or getattr(data.get("district"), "pk", None)
        park, industry = data.get("park"), data.get("industry")
        for field, obj in (("park", park), ("industry", industry)):
            if obj is not None and district_id and obj.district_id != district_id:
                self.add_error(field, _("It belongs to another district."))
        if district_id:
            taken = LandThreshold.objects.filter(
                district_id=district_id, park=park, industry=industry
            )
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    None, _("The district already has thresholds for this park and industry.")
                )
        return data


@admin.register(LandThreshold)
class LandThresholdAdmin(DistrictScopedAdmin):
    form = LandThresholdForm
    list_display = (
        "__str__",
        "park",
        "industry",
        "min_intensity",
        "min_tax_per_mu",
        "min_plot_ratio",
        "district",
    )
    list_select_related = ("park", "industry", "district")


class RuleCodeFilter(admin.SimpleListFilter):
    """The warnings by rule, offered from the rules there are (``RuleCode``) rather than read
    off the district's warnings (a DISTINCT over every one of them)."""

    title = ExitRule._meta.get_field("code").verbose_name
    parameter_name = "rule__code"

    def lookups(self, request, model_admin):
        return RuleCode.choices

    def queryset(self, request, queryset):
        return queryset.filter(rule__code=self.value()) if self.value() else queryset


@admin.register(ExitWarning)
class ExitWarningAdmin(ReadOnlyAdmin):
    """Newest first: a district administrator's off ``warning_district_recent``."""

    list_display = ("project", "rule", "due_on", "effective_due_on", "raised_on", "status")
    list_filter = ("status", RuleCodeFilter)
    search_fields = ("project__name", "project__code")
    list_select_related = ("project", "rule")


@admin.register(ExitStep)
class ExitStepAdmin(ReadOnlyAdmin):
    list_display = ("warning", "kind", "occurred_on", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("warning__project", "warning__rule", "recorded_by")
