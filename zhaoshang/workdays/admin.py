"""Admin pages for the calendar: a year with its entries inline. Every save of a published
year puts it in force again through the service (index rebuilt, recompute hooks called).

A published year cannot be turned back into a draft or deleted here: correct it instead
(the index always needs an arrangement or the provisional rule for every year).
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.admin_base import ScopedAdmin, ScopedInline
from zhaoshang.workdays import services
from zhaoshang.workdays.choices import YearSource, YearStatus
from zhaoshang.workdays.models import CalendarEntry, CalendarYear


class EntryFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        year = self.instance.year
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            day = data.get("date")
            if day and year and not data.get("DELETE") and day.year != year:
                form.add_error(
                    "date",
                    _("%(date)s is not in %(year)s.") % {"date": f"{day:%Y-%m-%d}", "year": year},
                )


class CalendarEntryInline(ScopedInline):
    model = CalendarEntry
    formset = EntryFormSet
    extra = 0
    fields = ("date", "kind", "name")


@admin.register(CalendarYear)
class CalendarYearAdmin(ScopedAdmin):
    national = True  # the national working-day calendar
    list_display = ("year", "status", "notice", "notice_title", "source", "loaded_at", "loaded_by")
    list_filter = ("status", "source")
    search_fields = ("=year", "notice", "notice_title")
    readonly_fields = ("source", "loaded_at", "loaded_by", "published_at")
    inlines = [CalendarEntryInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.insert(0, "year")
            if obj.status == YearStatus.PUBLISHED:
                fields.insert(1, "status")
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == YearStatus.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = YearSource.ADMIN
        obj.loaded_at = clock.now()
        obj.loaded_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.year_edited(form.instance, user=request.user)
