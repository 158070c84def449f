"""Admin of the exit mechanism. A district's rule table (anchor, months, clearing fact,
benefit thresholds, active) is edited here; warnings and their steps are read-only here:
they change only through the services (the scan, the pages and the API), which check the
order of the steps, keep the audit trail and notify people."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning


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
            "min_tax_per_mu",
            "min_intensity",
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


@admin.register(ExitWarning)
class ExitWarningAdmin(ReadOnlyAdmin):
    list_display = ("project", "rule", "due_on", "effective_due_on", "raised_on", "status")
    list_filter = ("status", "rule__code")
    search_fields = ("project__name", "project__code")
    list_select_related = ("project", "rule")


@admin.register(ExitStep)
class ExitStepAdmin(ReadOnlyAdmin):
    list_display = ("warning", "kind", "occurred_on", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("warning__project", "warning__rule", "recorded_by")
