from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin, ScopedAdmin
from zhaoshang.core.audit import EVENT_LABELS, event_label
from zhaoshang.core.models import DomainEvent, ImportBatch, ImportedRecord, ImportMapping
from zhaoshang.core.paging import CappedCountPaginator


class VerbFilter(admin.SimpleListFilter):
    """The events by name, offered from the names the apps register (``core.audit``) rather
    than read off the log (a DISTINCT over every event: ``verb`` has no index)."""

    title = DomainEvent._meta.get_field("verb").verbose_name
    parameter_name = "verb"

    def lookups(self, request, model_admin):
        return sorted(((verb, event_label(verb)) for verb in EVENT_LABELS), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(verb=self.value()) if self.value() else queryset


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnlyAdmin):
    """Append-only: viewable (a district administrator: their district's events), never
    editable or deletable. Listed as written, newest first: off the primary key, or a
    district's off ``event_district_after`` (``occurred_at`` has no index of its own), and
    counted up to ``CappedCountPaginator.cap``."""

    list_display = ("occurred_at", "verb", "summary", "actor", "district")
    list_filter = (VerbFilter,)
    list_select_related = ("actor", "district")
    ordering = ("-id",)
    # counted once and no further than the paginator's cap: a district's log grows without
    # bound (Django counts it whole, twice, for every page)
    paginator = CappedCountPaginator
    show_full_result_count = False
    search_fields = ("summary", "verb")


# --- imports (补录): changed only through the import pages (undo, confirm) ----------------


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """An upload of a district's own spreadsheet and what it did; undone and confirmed on
    the import pages (the services check what may be), never edited here."""

    list_display = (
        "id",
        "file_name",
        "kind",
        "status",
        "rows",
        "created_count",
        "problem_count",
        "created_by",
        "created_at",
        "confirmed_at",
        "undone_at",
        "district",
    )
    list_filter = ("status", "kind")
    list_select_related = ("created_by", "district")
    search_fields = ("file_name",)
    date_hierarchy = "created_at"


@admin.register(ImportedRecord)
class ImportedRecordAdmin(ReadOnlyAdmin):
    """A record an import created, with its source row (``row`` empty: created along with a
    row's record). Read-only: an import is undone as a whole or not at all."""

    district_path = "batch__district"
    list_display = ("id", "batch", "sheet", "row", "content_type", "object_id", "version")
    list_filter = ("sheet",)
    list_select_related = ("batch", "content_type")
    search_fields = ("batch__file_name", "sheet")


@admin.register(ImportMapping)
class ImportMappingAdmin(ScopedAdmin):
    """A district's saved column mapping (filled in by the import pages): viewed, or
    deleted to start the next upload afresh."""

    list_display = ("kind", "updated_by", "updated_at", "district")
    list_select_related = ("updated_by", "district")
    readonly_fields = ("kind", "columns", "units", "values", "updated_by", "updated_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
