"""Admin of meetings and action items: read-only. They change only through the services
(the pages and the API), which check the rules, keep the audit trail and notify people."""

from __future__ import annotations

from django.contrib import admin

from zhaoshang.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from zhaoshang.meetings.models import ActionItem, ActionProgress, AgendaItem, Decision, Meeting


class AgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ("order", "topic", "project", "need", "case", "note")
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("number", "text", "agenda_item", "joint_decision", "recorded_by")
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("number", "held_on", "kind", "title", "chair", "status", "district")
    list_filter = ("kind", "status")
    search_fields = ("number", "title", "minutes_number")
    list_select_related = ("chair", "district")
    inlines = [AgendaInline, DecisionInline]


class ProgressInline(ReadOnlyInline):
    model = ActionProgress
    fields = ("kind", "recorded_on", "text", "file", "by")
    readonly_fields = fields


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "title",
        "source",
        "owner_department",
        "due_on",
        "status",
        "district",
    )
    list_filter = ("status", "source", "due_is_provisional")
    search_fields = ("number", "title", "project__name")
    list_select_related = ("owner_department", "district")
    inlines = [ProgressInline]
