"""Admin of complaints. Complaints, their extensions and attachments are read-only here:
they change only through the services (the pages and the API), which check the rules, keep
the audit trail and notify people. A district's time limits per category are edited here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from zhaoshang.complaints.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintExtension,
    ComplaintLimit,
)
from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.admin_base import ScopedAdmin as DistrictScopedAdmin


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("number", "received_on", "enterprise", "category", "department", "status")
    list_filter = ("status", "category", "channel", "reports_unapproved_visit", "overruled")
    search_fields = ("number", "text")
    list_select_related = ("enterprise", "department")


class ComplaintLimitForm(forms.ModelForm):
    """The district is not on the form of a district admin (it is theirs), so the one row
    per category is checked here rather than left to the database."""

    district_id = None  # set by the admin for a district admin

    class Meta:
        model = ComplaintLimit
        fields = ["district", "category", "accept_workdays", "answer_workdays"]

    def clean(self):
        data = super().clean()
        district_id = self.district_id or getattr(data.get("district"), "pk", None)
        category = data.get("category")
        if district_id and category:
            taken = ComplaintLimit.objects.filter(district_id=district_id, category=category)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "category", _("This category already has time limits in the district.")
                )
        return data


@admin.register(ComplaintLimit)
class ComplaintLimitAdmin(DistrictScopedAdmin):
    form = ComplaintLimitForm
    list_display = ("category", "accept_workdays", "answer_workdays", "district")
    list_select_related = ("district",)
    ordering = ("district", "category")


class _ComplaintChildAdmin(ReadOnlyAdmin):
    """Rows without a district of their own: scoped through their complaint."""

    district_path = "complaint__district"


@admin.register(ComplaintExtension)
class ComplaintExtensionAdmin(_ComplaintChildAdmin):
    list_display = ("complaint", "requested_on", "approved", "decided_on", "new_answer_by")
    list_filter = ("approved",)
    list_select_related = ("complaint",)


@admin.register(ComplaintAttachment)
class ComplaintAttachmentAdmin(_ComplaintChildAdmin):
    list_display = ("original_name", "complaint", "uploaded_by", "uploaded_at")
    list_select_related = ("complaint", "uploaded_by")
