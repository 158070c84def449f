"""REST API of targets and KPIs (SPEC §12, §19).

- ``/api/v1/kpis/?year=YYYY`` (also ``since`` for the cohort of the years since–year,
  ``park``, ``industry``, ``working_group``, ``level``; ``district`` for city users):
  exactly ``{"signed_count", "signed_investment", "registered_rate", "start_rate", "production_rate", "capacity_rate", "performance_rate",
  "funds_in_place_rate", "on_time_rate"}``; rates are JSON numbers from 0 to 1 rounded to
  four places, ``null`` when the denominator is zero; ``signed_investment`` is a number in
  万元. Computed over the projects the caller can see: a district user's district, a city
  user's whole city (or the ``district`` asked for). Bad filters (a year that is no year, a
  park that is not the caller's to see) are a 400 ``{field: [messages]}``.
- ``/api/v1/targets/``: the annual targets with their progress; the bureau and admins of the
  district create, update and delete them through ``kpis.services``; city users read.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import (
    ResourceSchema,
    ScopedModelViewSet,
    caller_district,
    expected_version,
)
from zhaoshang.core import clock, pagecache
from zhaoshang.kpis import permissions, services, snapshots
from zhaoshang.kpis.forms import KpiFilterForm
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.org.models import Department, WorkingGroup
from zhaoshang.projects.models import Project

RATE_HELP = gettext_lazy("0–1, four places; null when the denominator is zero.")


class KpisSerializer(Serializer):
    """The fixed answer of SPEC §19."""

    signed_count = serializers.IntegerField()
    signed_investment = serializers.DecimalField(
        max_digits=18, decimal_places=2, coerce_to_string=False
    )
    registered_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    start_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    production_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    capacity_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    performance_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    funds_in_place_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    on_time_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)

    def to_representation(self, instance):
        data = {}
        for name, value in instance.as_dict().items():
            if name == "signed_count" or value is None:
                data[name] = value
            elif name == "signed_investment":
                data[name] = float(value)
            else:
                data[name] = round(float(value), 4)
        return data


def _filter_parameters():
    return [
        OpenApiParameter("year", OpenApiTypes.INT, description="The signing year (cohort)."),
        OpenApiParameter(
            "since",
            OpenApiTypes.INT,
            description="Optional first signing year: the cohort of the years since–year.",
        ),
        OpenApiParameter("park", OpenApiTypes.INT),
        OpenApiParameter("industry", OpenApiTypes.INT),
        OpenApiParameter("working_group", OpenApiTypes.INT),
        OpenApiParameter("level", OpenApiTypes.STR, enum=["major", "key", "general"]),
        OpenApiParameter("district", OpenApiTypes.INT, description="City users only."),
    ]


class KpiViewSet(viewsets.ViewSet):
    """The KPIs of SPEC §12 for a year's cohort of signed projects."""

    permission_classes = [StaffApiPermission]
    schema = ResourceSchema()
    http_method_names = ["get", "head", "options"]
    list_answers_one_object = True

    @extend_schema(
        parameters=_filter_parameters(),
        responses={200: KpisSerializer, 400: OpenApiResponse(description="{field: [messages]}")},
    )
    @pagecache.kept_list_method
    def list(self, request):
        form = KpiFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: [str(m) for m in errors] for field, errors in form.errors.items()}
            )
        filters = form.project_filters()
        projects = services.filter_projects(Project.objects.visible_to(request.user), **filters)
        kpis = snapshots.compute(request.user, projects, filters, **form.period_args())
        return Response(KpisSerializer(kpis).data)


class AnnualTargetSerializer(ModelSerializer):
    working_group = VisiblePrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.all(), required=False, allow_null=True
    )
    department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    scope = serializers.CharField(read_only=True)
    signed_count = serializers.IntegerField(read_only=True)
    tier1_done = serializers.IntegerField(read_only=True)
    tier2_done = serializers.IntegerField(read_only=True)
    tier3_done = serializers.IntegerField(read_only=True)
    signed_investment_done = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True
    )
    funds_done = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy(
            "The version you read. A stale version is refused with 409 and changes nothing."
        ),
    )

    class Meta:
        model = AnnualTarget
        fields = [
            "id",
            "district",
            "year",
            "scope",
            "working_group",
            "department",
            "tier1_min",
            "tier1_count",
            "tier2_min",
            "tier2_count",
            "tier3_min",
            "tier3_count",
            "signed_investment",
            "funds_in_place",
            "note",
            "signed_count",
            "tier1_done",
            "tier2_done",
            "tier3_done",
            "signed_investment_done",
            "funds_done",
            "version",
        ]
        read_only_fields = ["id", "district"]
        validators = []  # uniqueness per scope and year is the service's, with its message
        extra_kwargs = {
            f"tier{n}_{part}": {"required": False} for n in (1, 2, 3) for part in ("min", "count")
        }


class AnnualTargetPermission(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.can_edit_targets(request.user, request.user.district_id)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return permissions.can_edit_targets(request.user, obj.district_id)


class AnnualTargetViewSet(ScopedModelViewSet):
    """Annual targets ("369" tiers, signed investment, funds in place) and their progress."""

    model = AnnualTarget
    serializer_class = AnnualTargetSerializer
    permission_classes = [StaffApiPermission, AnnualTargetPermission]
    filterset_fields = ["year", "working_group", "department"]
    ordering_fields = ["id", "year"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AnnualTarget.objects.none()
        return (
            super()
            .get_queryset()
            .with_progress(clock.today())
            .order_by("-year", "district_id", "id")
        )

    def _respond(self, target, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=target.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**services.default_tiers(), **serializer.validated_data}
        data.pop("version", None)
        target = services.create_target(request.user, district=caller_district(request), **data)
        return self._respond(target, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        target = services.update_target(request.user, instance, expected_version=version, **data)
        return self._respond(target)

    def perform_destroy(self, instance):
        services.delete_target(self.request.user, instance)
