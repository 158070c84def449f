"""Portal API: the enterprise's ratings (``/api/v1/portal/ratings/``, read-only) — what it
rated, the score, its reason and the supervision office's follow-up once recorded. A
record is rated through its own resource (a case's, a visit's … ``rate`` action)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers

from zhaoshang.portal.api.base import PortalViewSet
from zhaoshang.portal.views.ratings import enterprise_ratings
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.subjects import attach_records


class PortalRatingSerializer(serializers.ModelSerializer):
    """One rating as the enterprise sees it."""

    subject_label = serializers.CharField(
        source="record_label",
        read_only=True,
        default="",
        help_text=gettext_lazy("The record rated as its pages name it (a case, a need number …)."),
    )
    department_name = serializers.CharField(source="department.name", read_only=True)
    project_name = serializers.CharField(
        source="project.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Rating
        fields = [
            "id",
            "subject_kind",
            "subject_id",
            "subject_label",
            "project",
            "project_name",
            "department_name",
            "score",
            "reason",
            "rated_on",
            "followup",
            "followup_note",
            "followed_up_on",
        ]
        read_only_fields = fields


class PortalRatingViewSet(mixins.ListModelMixin, PortalViewSet):
    """The enterprise's ratings, the latest first: the record rated, the score, the reason
    and, for a 不满意, the supervision office's follow-up (``followup`` open or done, its
    note once done)."""

    queryset = Rating.objects.all()
    serializer_class = PortalRatingSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return Rating.objects.none()
        return self.enterprise_rows(None)

    def enterprise_rows(self, queryset):
        return enterprise_ratings(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_records(page)
        return page


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("ratings", PortalRatingViewSet, basename="portal-rating")
