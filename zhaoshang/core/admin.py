from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin, ScopedAdmin
from zhaoshang.core.models import DomainEvent, ImportBatch, ImportedRecord, ImportMapping


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnlyAdmin):
    """Append-only: viewable (a district administrator: their district's events), never
    editable or deletable."""

    list_display = ("occurred_at", "verb", "summary", "actor", "district")
    list_filter = ("verb",)
    list_select_related = ("actor", "district")
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
