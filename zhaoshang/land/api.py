"""REST API of land (SPEC §16, §19): ``land-parcels`` (list with filters, create, read,
update through the services, a status change action), ``land-campaigns`` (opened, closed)
with their entries, and ``land-campaign-entries`` (the decision and its follow-up). Scoped
like the pages (``visible_to``); the idle-land clock is computed in SQL."""

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
    answer_after_commit,
    caller_district,
    expected_version,
)
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.land import permissions, services
from zhaoshang.land.actions import ACTIONS
from zhaoshang.land.choices import Clock, Decision, FollowUp, Half, LandUse, ParcelStatus
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
    days_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Working days left to the deadline of a running follow-up."),
    )
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)

    class Meta:
        model = CampaignEntry
        fields = [
            "id",
            "campaign",
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
            "facts_reason",
            "decided_by",
            "decided_at",
            "followup",
            "followup_on",
            "exit_warning",
            "overdue_on",
            "done_on",
            "done_note",
            "days_left",
            "light",
            "version",
        ]
        read_only_fields = fields


class LandCampaignSerializer(ModelSerializer):
    entry_count = serializers.IntegerField(read_only=True)
    undecided = serializers.IntegerField(read_only=True)
    without_followup = serializers.IntegerField(read_only=True)
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
            "production_months",
            "opened_by",
            "opened_on",
            "report_on",
            "closed_by",
            "note",
            "entry_count",
            "undecided",
            "without_followup",
            "entries",
            "version",
        ]
        read_only_fields = fields


class OpenCampaignSerializer(Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    half = serializers.ChoiceField(choices=Half.choices)
    as_of = serializers.DateField(required=False, allow_null=True)
    signed_months = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CloseSerializer(Serializer):
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class LandCampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Half-yearly land clean-up campaigns (土地清理) and their entries. Opened (POST) by
    the leader holding the clean-up duty (分管工业副区长), the supervision office, the bureau
    or an admin; closed only when every entry has a decision and every decision its
    follow-up."""

    serializer_class = LandCampaignSerializer
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()
    filterset_fields = ["year", "half", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LandCampaign.objects.none()
        user = self.request.user
        entries = (
            CampaignEntry.objects.visible_to(user)
            .with_days_left(clock.today())
            .order_by("category", "project__code", "id")
        )
        return (
            LandCampaign.objects.visible_to(user)
            .annotate(
                entry_count=Count("entries", distinct=True),
                undecided=Count("entries", filter=Q(entries__decision=""), distinct=True),
                without_followup=Count(
                    "entries",
                    filter=Q(entries__followup="") & ~Q(entries__decision=""),
                    distinct=True,
                ),
            )
            .prefetch_related(Prefetch("entries", entries, to_attr="visible_entries"))
            .order_by("-year", "-half", "-id")
        )

    @answer_after_commit
    def _respond(self, campaign, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=campaign.pk)
        data = LandCampaignSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(
        request=OpenCampaignSerializer,
        responses={
            201: LandCampaignSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
        },
    )
    def create(self, request, *args, **kwargs):
        """Open the district's campaign of a half-year; its entries are generated."""
        district = caller_district(request)
        if not permissions.can_open_campaigns(request.user, district.pk):
            raise PermissionDenied
        form = OpenCampaignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        campaign = services.open_campaign(request.user, district=district, **form.validated_data)
        return self._respond(campaign, status.HTTP_201_CREATED)

    close = api_action(
        CloseSerializer,
        "Close the campaign: refused while an entry has no decision or a decision no follow-up.",
        run=lambda u, c, d, v: services.close_campaign(u, c, expected_version=v),
        allowed=permissions.can_manage_campaign,
    )


class DecideSerializer(Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    deadline = serializers.DateField(required=False, allow_null=True)
    facts_reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class RectifiedSerializer(Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class ExitDoneSerializer(RectifiedSerializer):
    document = serializers.FileField(required=False, allow_null=True)


class CampaignEntryFilter(filters.FilterSet):
    followup = filters.ChoiceFilter(choices=FollowUp.choices)
    light = filters.ChoiceFilter(choices=DEADLINE_LIGHTS)

    class Meta:
        model = CampaignEntry
        fields = ["campaign", "project", "category", "decision", "followup", "light"]


class CampaignEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The entries of the clean-up campaigns: the decision on each (which starts its
    follow-up: a watched deadline, the land recovery, the exit steps) and the actions that
    carry it out."""

    serializer_class = CampaignEntrySerializer
    filterset_class = CampaignEntryFilter
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CampaignEntry.objects.none()
        return (
            CampaignEntry.objects.visible_to(self.request.user)
            .with_days_left(clock.today())
            .select_related("campaign", "project")
            .order_by("-campaign_id", "category", "project__code", "id")
        )

    @answer_after_commit
    def _respond(self, entry, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=entry.pk)
        data = CampaignEntrySerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    decide = api_action(
        DecideSerializer,
        "Record the decision and start its follow-up (a reason is needed for a decision "
        "against the facts).",
        run=lambda u, e, d, v: services.decide_entry(
            u,
            e,
            decision=d["decision"],
            reason=d.get("reason", ""),
            deadline=d.get("deadline"),
            facts_reason=d.get("facts_reason", ""),
            expected_version=v,
        ),
        allowed=lambda u, e: permissions.can_manage_campaign(u, e.campaign),
    )
    rectified = api_action(
        RectifiedSerializer,
        "整改到位: the rectification is confirmed.",
        action=ACTIONS["rectified"],
    )
    exit = api_action(
        ExitDoneSerializer,
        "清退 carried out: the project becomes 已退出 (the clearance decision as evidence).",
        action=ACTIONS["exit"],
    )
