"""REST API for investing enterprises (SPEC §3). Writes go through the services."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers

from zhaoshang.api.permissions import RegistryPermission, StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district, expected_version
from zhaoshang.enterprises import services
from zhaoshang.enterprises.models import Enterprise


class EnterpriseSerializer(ModelSerializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy(
            "On update: the version you read. A stale version is refused with 409; "
            "required on PUT, optional on PATCH."
        ),
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "district",
            "name",
            "credit_code",
            "legal_representative",
            "registered_capital",
            "origin",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "note",
            "created_at",
            "version",
        ]
        read_only_fields = ["district", "created_at"]
        extra_kwargs = {
            # Room for pasted spaces; the code is normalised and checked (GB 32100).
            "credit_code": {"max_length": 40},
            "registered_capital": {"min_value": Decimal("0")},
        }


class EnterpriseFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label=gettext_lazy("Search"))

    class Meta:
        model = Enterprise
        fields = ["origin"]

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value))


class EnterpriseViewSet(ScopedModelViewSet):
    """Investing enterprises (投资企业) of the district."""

    model = Enterprise
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    permission_classes = [StaffApiPermission, RegistryPermission]
    ordering_fields = ["id", "name", "credit_code", "created_at"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_enterprise(
            self.request.user, caller_district(self.request), data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        serializer.instance = services.update_enterprise(
            self.request.user, serializer.instance, data, version
        )

    def perform_destroy(self, instance):
        # Refused with 400 while projects or portal accounts still refer to it (PROTECT).
        services.delete_enterprise(self.request.user, instance)
