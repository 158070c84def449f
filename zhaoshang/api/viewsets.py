"""The shape every staff API resource shares: scoped queryset, filters, ordering."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, viewsets
from rest_framework.filters import OrderingFilter

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission


class ResourceSchema(AutoSchema):
    """Tag each operation with its resource (``/api/v1/<resource>/…``)."""

    def get_tags(self):
        parts = [part for part in self.path.split("/") if part]
        if len(parts) >= 3 and parts[0] == "api":
            return [parts[2]]
        return super().get_tags()


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A model resource whose rows start from ``Model.objects.visible_to(request.user)``,
    so a row outside the caller's scope is a 404, never a hint."""

    model = None
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


def caller_district(request):
    """The district a new record of the caller belongs to: the caller's own."""
    district = request.user.district if request.user.district_id else None
    if district is None:
        raise exceptions.ValidationError(
            {"non_field_errors": [_("Your account belongs to no district.")]}
        )
    return district


def expected_version(serializer, data: dict) -> int:
    """The version the client read: required on PUT; on PATCH it defaults to the
    current one (the client did not ask for the check)."""
    version = data.pop("version", None)
    if version is not None:
        return version
    if not serializer.partial:
        raise exceptions.ValidationError(
            {"version": [_("Send the version of the record you read (the “version” field).")]}
        )
    return serializer.instance.version
