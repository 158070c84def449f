from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.core.models import DomainEvent


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnlyAdmin):
    """Append-only: viewable (a district administrator: their district's events), never
    editable or deletable."""

    list_display = ("occurred_at", "verb", "summary", "actor", "district")
    list_filter = ("verb",)
    list_select_related = ("actor", "district")
    search_fields = ("summary", "verb")
