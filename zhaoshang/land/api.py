"""REST API of land (SPEC §16, §19): ``land-parcels`` (list with filters, create, read,
update through the services, a status change action) and the read-only ``land-campaigns``
with their entries. Scoped like the pages (``visible_to``); the idle-land clock is computed
in SQL."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import (
    ResourceSchema,
    ScopedModelViewSet,
    caller_district,
    expected_version,
)
from zhaoshang.core import clock
from zhaoshang.land import permissions, services
from zhaoshang.land.choices import Clock, LandUse, ParcelStatus
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel
from zhaoshang.org.models import Park
from zhaoshang.projects.models import Project

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing."
)


class LandParcelSerializer(ModelSerializer):
    park = VisiblePrimaryKeyRelatedField(queryset=Park.objects.all())
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=ParcelStatus.choices,
        required=False,
        help_text=gettext_lazy(
            "On create: reserve (default), reserved or supplied. Later changes go through "
            "the status action."
        ),
    )
    effective_start_on = serializers.DateField(
        read_only=True,
        help_text=gettext_lazy(
            "The land contract's agreed start, else the agreement's start term."
        ),
    )
    idle_from = serializers.DateField(read_only=True, allow_null=True)
    recoverable_from = serializers.DateField(read_only=True, allow_null=True)
    clock = serializers.ChoiceField(choices=Clock.choices, source="clock_code", read_only=True)
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

    class Meta:
        model = LandParcel
        fields = [
            "id",
            "district",
            "code",
            "name",
            "location",
            "park",
            "area",
            "land_use",
            "status",
            "project",
            "delivered_on",
            "land_price",
            "agreed_start_on",
            "contract_number",
            "plot_ratio",
            "note",
            "idle_on",
            "recovered_on",
            "recovery_document",
            "effective_start_on",
            "idle_from",
            "recoverable_from",
            "clock",
            "version",
        ]
        read_only_fields = ["id", "district", "idle_on", "recovered_on", "recovery_document"]
        validators = []  # the number's uniqueness is the service's, with its message

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not getattr(instance, "clock_running", False):
            data["idle_from"] = data["recoverable_from"] = None
        return data


class LandParcelFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ParcelStatus.choices)
    land_use = filters.ChoiceFilter(choices=LandUse.choices)
    clock = filters.ChoiceFilter(choices=Clock.choices, field_name="clock_code")

    class Meta:
        model = LandParcel
        fields = ["park", "status", "land_use", "project", "clock"]


class LandParcelPermission(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.can_add_parcels(request.user, request.user.district_id)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return permissions.can_edit_parcel(request.user, obj)


class ParcelStatusSerializer(Serializer):
    status = serializers.ChoiceField(choices=ParcelStatus.choices)
    on = serializers.DateField(required=False, allow_null=True)
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    document = serializers.CharField(required=False, allow_blank=True, max_length=100)
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class LandParcelViewSet(ScopedModelViewSet):
    """Land parcels (地块) with the idle-land clock (闲置土地处置办法)."""

    model = LandParcel
    serializer_class = LandParcelSerializer
    filterset_class = LandParcelFilter
    permission_classes = [StaffApiPermission, LandParcelPermission]
    ordering_fields = ["id", "code", "area", "delivered_on", "idle_from"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LandParcel.objects.none()
        return (
            super()
            .get_queryset()
            .with_clock(clock.today())
            .select_related("park", "project")
            .order_by("district_id", "code", "id")
        )

    def _respond(self, parcel, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=parcel.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        parcel_status = data.pop("status", ParcelStatus.RESERVE)
        parcel = services.create_parcel(
            request.user, district=caller_district(request), status=parcel_status, **data
        )
        return self._respond(parcel, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        new_status = data.pop("status", instance.status)
        if new_status != instance.status:
            raise serializers.ValidationError(
                {"status": [gettext_lazy("Change the status with the status action.")]}
            )
        fields = {k: v for k, v in data.items() if k in services.PARCEL_FIELDS}
        parcel = services.update_parcel(request.user, instance, expected_version=version, **fields)
        return self._respond(parcel)

    @extend_schema(
        request=ParcelStatusSerializer,
        responses={
            200: LandParcelSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
            409: OpenApiResponse(description="Stale version."),
        },
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request, pk=None):
        """Move the parcel to another status (supplied, idle, recovered, reserve …)."""
        parcel = self.get_object()
        if not permissions.can_edit_parcel(request.user, parcel):
            raise PermissionDenied
        form = ParcelStatusSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        parcel = services.change_parcel_status(
            request.user,
            parcel,
            status=data["status"],
            on=data.get("on"),
            project=data.get("project"),
            reason=data.get("reason", ""),
            document=data.get("document", ""),
            expected_version=data.get("version"),
        )
        return self._respond(parcel)


class CampaignEntrySerializer(ModelSerializer):
    class Meta:
        model = CampaignEntry
        fields = [
            "id",
            "project",
            "parcel",
            "category",
            "land_area",
            "delivered_on",
            "signed_on",
            "started_on",
            "production_on",
            "intensity",
            "tax_per_mu",
            "min_intensity",
            "min_tax_per_mu",
            "decision",
            "decision_reason",
            "deadline",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class LandCampaignSerializer(ModelSerializer):
    entry_count = serializers.IntegerField(read_only=True)
    undecided = serializers.IntegerField(read_only=True)
    entries = CampaignEntrySerializer(many=True, read_only=True, source="visible_entries")

    class Meta:
        model = LandCampaign
        fields = [
            "id",
            "district",
            "year",
            "half",
            "status",
            "as_of",
            "delivered_months",
            "signed_months",
            "production_years",
            "opened_by",
            "opened_on",
            "report_on",
            "closed_by",
            "entry_count",
            "undecided",
            "entries",
        ]
        read_only_fields = fields


class LandCampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Half-yearly land clean-up campaigns (土地清理) and their entries, read-only."""

    serializer_class = LandCampaignSerializer
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()
    filterset_fields = ["year", "half", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LandCampaign.objects.none()
        user = self.request.user
        entries = CampaignEntry.objects.visible_to(user).order_by("category", "project__code", "id")
        return (
            LandCampaign.objects.visible_to(user)
            .annotate(
                entry_count=Count("entries", distinct=True),
                undecided=Count("entries", filter=Q(entries__decision=""), distinct=True),
            )
            .prefetch_related(Prefetch("entries", entries, to_attr="visible_entries"))
            .order_by("-year", "-half", "-id")
        )
