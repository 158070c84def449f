"""REST API for the reference data (SPEC §2): departments, parks, industries.

Everybody on the staff side reads their district's reference data (city users every
district's); only the district's administrator creates, edits and deletes it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import ReferenceDataPermission, StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district
from zhaoshang.org.models import Department, Industry, IndustryClass, Park, Zone


class ReferenceSerializer(ModelSerializer):
    """Reference rows are plain records without a service: validate the whole model
    (constraints included) and keep every related row in the record's district."""

    def _check_district(self, instance) -> None:
        errors = {}
        for name, value in self.validated_data.items():
            other = getattr(value, "district_id", None)
            if other is not None and other != instance.district_id:
                errors[name] = _("This record belongs to another district.")
        if errors:
            raise ValidationError(errors)

    def _clean_save(self, instance):
        self._check_district(instance)
        instance.full_clean()
        instance.save()
        return instance

    def create(self, validated_data):
        return self._clean_save(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return self._clean_save(instance)


class DepartmentSerializer(ReferenceSerializer):
    class Meta:
        model = Department
        fields = ["id", "district", "name", "short_name", "kind", "head", "contact", "sort_order"]
        read_only_fields = ["district"]


class ParkSerializer(ReferenceSerializer):
    zone = VisiblePrimaryKeyRelatedField(queryset=Zone.objects.all())
    committee = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Park
        fields = ["id", "district", "zone", "code", "name", "area_km2", "committee", "outline"]
        read_only_fields = ["district"]
        extra_kwargs = {"area_km2": {"min_value": Decimal("0")}}


class IndustrySerializer(ReferenceSerializer):
    gbt_class = serializers.SlugRelatedField(
        slug_field="code",
        queryset=IndustryClass.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("GB/T 4754-2017 code, e.g. C34."),
    )

    class Meta:
        model = Industry
        fields = ["id", "district", "name", "category", "gbt_class", "sort_order"]
        read_only_fields = ["district"]


class NameSearchFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label=gettext_lazy("Search"))

    def search(self, queryset, name, value: str):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset


class DepartmentFilter(NameSearchFilterSet):
    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    class Meta:
        model = Department
        fields = ["kind"]


def _visible_zones(request):
    return Zone.objects.visible_to(getattr(request, "user", None))


class ParkFilter(NameSearchFilterSet):
    zone = filters.ModelChoiceFilter(queryset=_visible_zones)

    class Meta:
        model = Park
        fields = ["zone"]


class IndustryFilter(NameSearchFilterSet):
    class Meta:
        model = Industry
        fields = ["category"]


class ReferenceViewSet(ScopedModelViewSet):
    permission_classes = [StaffApiPermission, ReferenceDataPermission]
    ordering_fields = ["id", "name"]

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save(district=caller_district(self.request))

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


class DepartmentViewSet(ReferenceViewSet):
    """Departments and units (部门/单位) of the district."""

    model = Department
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    ordering_fields = ["id", "name", "sort_order"]


class ParkViewSet(ReferenceViewSet):
    """Parks (园) of the district's zones."""

    model = Park
    serializer_class = ParkSerializer
    filterset_class = ParkFilter
    ordering_fields = ["id", "name", "code"]


class IndustryViewSet(ReferenceViewSet):
    """Industries of the district's "3+3" plan."""

    model = Industry
    serializer_class = IndustrySerializer
    filterset_class = IndustryFilter
    ordering_fields = ["id", "name", "sort_order"]

    def get_queryset(self):
        return super().get_queryset().select_related("gbt_class")
