from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin
from zhaoshang.notifications.models import Notification, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Written and delivered by the notification services: shown, never edited here."""

    district_path = "notification__recipient__district"
    list_display = ("id", "channel", "address", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The inboxes of the district's people, read-only."""

    district_path = "recipient__district"
    list_select_related = ("recipient",)
    list_display = ("title", "recipient", "verb", "created_at", "read_at")
    list_filter = ("verb",)
