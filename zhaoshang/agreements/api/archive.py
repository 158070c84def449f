"""``archive-versions``: the versions filed to the park committee's archive, read-only."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import mixins, viewsets

from zhaoshang.agreements.models import (
    ArchiveVersion,
    Commitment,
)
from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer
from zhaoshang.api.viewsets import ResourceSchema


class ArchiveVersionSerializer(ModelSerializer):
    class Meta:
        model = ArchiveVersion
        fields = [
            "id",
            "district",
            "commitment",
            "number",
            "park",
            "committee",
            "filed_by",
            "filed_at",
            "note",
            "content",
            "content_sha256",
        ]
        read_only_fields = fields


class ArchiveVersionFilter(filters.FilterSet):
    commitment = filters.ModelChoiceFilter(
        queryset=lambda request: Commitment.objects.visible_to(getattr(request, "user", None))
    )

    class Meta:
        model = ArchiveVersion
        fields = ["commitment"]


class ArchiveVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Versions filed to the park committee's archive: read-only, never changed (no
    update or delete route exists)."""

    serializer_class = ArchiveVersionSerializer
    filterset_class = ArchiveVersionFilter
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ArchiveVersion.objects.none()
        return ArchiveVersion.objects.visible_to(self.request.user).order_by("-filed_at", "-id")
