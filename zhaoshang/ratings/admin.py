"""Ratings in the admin: shown, never written here — a rating is the enterprise's, given
through its rate page; its follow-up is the supervision office's, on the ratings page
(both audited)."""

from django.contrib import admin

from zhaoshang.core.admin_base import ScopedAdmin
from zhaoshang.ratings.models import Rating


@admin.register(Rating)
class RatingAdmin(ScopedAdmin):
    list_display = (
        "rated_on",
        "subject_kind",
        "subject_id",
        "enterprise",
        "department",
        "score",
        "followup",
        "district",
    )
    list_filter = ("subject_kind", "score", "followup")
    search_fields = ("enterprise__name", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
