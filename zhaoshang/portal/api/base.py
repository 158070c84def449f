"""The shape of every portal API resource: an enterprise contact's token or session,
rows of its own enterprise only."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.schema import ResourceSchema
from zhaoshang.portal.access import is_contact


class PortalApiPermission(BasePermission):
    """Only an enterprise's own contacts use the portal API; staff have their own API."""

    def has_permission(self, request, view):
        return is_contact(request.user)


class PortalViewSet(viewsets.GenericViewSet):
    """A portal resource: ``enterprise_rows(queryset)`` keeps the rows of the caller's
    enterprise; a row of another enterprise is a 404."""

    permission_classes = [PortalApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()

    def enterprise_rows(self, queryset):
        """Override: the rows of ``queryset`` belonging to the caller's enterprise."""
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return self.queryset.none()
        return self.enterprise_rows(self.queryset.all())


def request_fields(request):
    """The body's fields, for an action that reads them itself (a Django form, a project
    id): a body that is not an object of fields (a JSON list, say) is DRF's own 400."""
    serializers.Serializer(data=request.data).is_valid(raise_exception=True)
    return request.data
