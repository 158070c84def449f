from django.contrib import admin

from zhaoshang.core.models import DomainEvent


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    """Append-only: viewable, never editable or deletable."""

    list_display = ("occurred_at", "verb", "summary", "actor", "district")
    list_filter = ("verb", "district")
    search_fields = ("summary", "verb")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
