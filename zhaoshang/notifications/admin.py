from django.contrib import admin

from zhaoshang.notifications.models import Notification, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "address", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "verb", "created_at", "read_at")
    list_filter = ("verb",)
