"""REST API for projects (SPEC §4, §16, §19). Writes go through the services."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.parsers import SafeJSONParser, SafeMultiPartParser
from zhaoshang.api.permissions import RegistryPermission, StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district, expected_version
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, Industry, Park, User, WorkingGroup
from zhaoshang.projects import permissions, services
from zhaoshang.projects.choices import STAGE_DATE_FIELDS, STAGE_EVIDENCE, Condition, Stage
from zhaoshang.projects.models import Project
from zhaoshang.projects.search import COUNTED

EVIDENCE_PREFIX = "evidence_"
# Fields the service checks against each other; a PATCH sends them along unchanged so
# that e.g. a new planned completion is compared with the stored planned start.
CROSS_CHECKED = (
    "planned_start_on",
    "planned_completion_on",
    "planned_production_on",
    "fixed_asset_investment",
    "total_investment",
)
NON_NEGATIVE = (
    "total_investment",
    "fixed_asset_investment",
    "land_area",
    "designed_output",
    "committed_tax",
    "actual_tax",
)
VERSION_HELP = gettext_lazy(
    "On update: the version you read. A stale version is refused with 409; "
    "required on PUT, optional on PATCH."
)


class StaffUserField(VisiblePrimaryKeyRelatedField):
    """A government user of the caller's district (not an enterprise account)."""

    def get_queryset(self):
        return super().get_queryset().filter(enterprise__isnull=True)


class ProjectSerializer(ModelSerializer):
    enterprise = VisiblePrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), allow_null=True, required=False
    )
    industry = VisiblePrimaryKeyRelatedField(
        queryset=Industry.objects.all(), allow_null=True, required=False
    )
    park = VisiblePrimaryKeyRelatedField(queryset=Park.objects.all())
    working_group = VisiblePrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.all(), allow_null=True, required=False
    )
    designated_leader = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)
    paired_departments = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, allow_null=True, default=None
    )
    industry_name = serializers.CharField(
        source="industry.name", read_only=True, allow_null=True, default=None
    )
    park_name = serializers.CharField(source="park.name", read_only=True)
    investment_intensity = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("投资强度: fixed-asset investment ÷ land area (10k yuan per mu)."),
    )
    per_mu_tax = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("亩均税收: actual tax ÷ land area (10k yuan per mu)."),
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

    class Meta:
        model = Project
        fields = [
            "id",
            "district",
            "code",
            "name",
            "kind",
            "enterprise",
            "enterprise_name",
            "industry",
            "industry_name",
            "park",
            "park_name",
            "level",
            "source",
            "total_investment",
            "fixed_asset_investment",
            "land_area",
            "investment_intensity",
            "planned_start_on",
            "planned_completion_on",
            "planned_production_on",
            "designed_output",
            "committed_tax",
            "committed_jobs",
            "actual_tax",
            "per_mu_tax",
            "energy_commitment",
            "is_green_channel",
            "designated_leader",
            "working_group",
            "paired_departments",
            "description",
            "stage",
            "condition",
            "condition_reason",
            *STAGE_DATE_FIELDS.values(),
            "created_at",
            "updated_at",
            "version",
        ]
        # The stage and its dates move only through the stage action, the condition
        # through the condition action; the code is allocated by the service.
        read_only_fields = [
            "district",
            "code",
            "stage",
            "condition",
            "condition_reason",
            *STAGE_DATE_FIELDS.values(),
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {name: {"min_value": Decimal("0")} for name in NON_NEGATIVE}


@extend_schema_field({"$ref": "#/components/schemas/StageEnum"})
class StageChoiceField(serializers.ChoiceField):
    """A stage, documented as the same ``StageEnum`` as ``Project.stage`` (a second
    name for the same choices would be a schema warning, and a failing deploy check)."""


class StageChangeSerializer(Serializer):
    """A stage change (SPEC §4). Evidence files go as multipart fields named
    ``evidence_<material code>``; each stage names the materials it needs."""

    to_stage = StageChoiceField(choices=Stage.choices)
    occurred_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

    def get_fields(self):
        fields = super().get_fields()
        codes = sorted({code for needed in STAGE_EVIDENCE.values() for code in needed})
        for code in codes:
            fields[EVIDENCE_PREFIX + code] = serializers.FileField(
                required=False,
                write_only=True,
                help_text=gettext_lazy("Evidence file (pdf, jpg, png, docx, xlsx, ofd, zip)."),
            )
        return fields


class ConditionSerializer(Serializer):
    condition = serializers.ChoiceField(choices=Condition.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


class ProjectFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="search",
        label=gettext_lazy("Search"),
        help_text=gettext_lazy(
            "Name, code, enterprise, credit code, or the pinyin (initials or full) of the name."
        ),
    )
    stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    enterprise = filters.ModelChoiceFilter(queryset=_visible(Enterprise))
    park = filters.ModelChoiceFilter(queryset=_visible(Park))
    industry = filters.ModelChoiceFilter(queryset=_visible(Industry))
    working_group = filters.ModelChoiceFilter(queryset=_visible(WorkingGroup))

    class Meta:
        model = Project
        fields = [
            "stage",
            "park",
            "industry",
            "level",
            "kind",
            "source",
            "condition",
            "working_group",
            "is_green_channel",
            "enterprise",
        ]

    def search(self, queryset, name, value: str):
        # the list counts every match: a term read off the index up to more matches, each
        # candidate by its key (``every``)
        return queryset.search(value, common=COUNTED, every=True)


class ProjectViewSet(ScopedModelViewSet):
    """Investment and park infrastructure projects (项目) the caller may see."""

    model = Project
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    permission_classes = [StaffApiPermission, RegistryPermission]
    ordering_fields = [
        "id",
        "code",
        "name",
        "total_investment",
        "land_area",
        "signed_on",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("enterprise", "industry", "park")
            .prefetch_related(Prefetch("paired_departments", Department.objects.only("id")))
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        departments = data.pop("paired_departments", [])
        user = self.request.user
        # A superuser without a district registers the project in its park's district.
        district = caller_district(self.request) if user.district_id else data["park"].district
        serializer.instance = services.create_project(
            self.request.user, district, data, departments
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        departments = data.pop("paired_departments", None)
        current = serializer.instance
        for name in CROSS_CHECKED:
            data.setdefault(name, getattr(current, name))
        serializer.instance = services.update_project(
            self.request.user, current, data, version, departments
        )

    def perform_destroy(self, instance):
        # Refused with 400 while other records still refer to it (PROTECT).
        services.delete_project(self.request.user, instance)

    def _respond(self, project) -> Response:
        fresh = self.get_queryset().get(pk=project.pk)
        return Response(ProjectSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request={
            "multipart/form-data": StageChangeSerializer,
            "application/json": StageChangeSerializer,
        },
        responses={
            200: ProjectSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
            409: OpenApiResponse(description="Stale version."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[SafeMultiPartParser, FormParser, SafeJSONParser],
        serializer_class=StageChangeSerializer,
    )
    def stage(self, request, pk=None):
        """Move the project to another stage with the evidence that stage needs."""
        project = self.get_object()
        if not permissions.can_record_service(request.user, project):
            raise PermissionDenied
        form = StageChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        evidence = {
            key.removeprefix(EVIDENCE_PREFIX): uploaded
            for key, uploaded in request.FILES.items()
            if key.startswith(EVIDENCE_PREFIX) and len(key) > len(EVIDENCE_PREFIX)
        }
        services.change_stage(
            request.user,
            project,
            form.validated_data["to_stage"],
            form.validated_data["occurred_on"],
            reason=form.validated_data["reason"],
            evidence_files=evidence,
            expected_version=form.validated_data.get("version"),
        )
        return self._respond(project)

    @extend_schema(
        request=ConditionSerializer,
        responses={
            200: ProjectSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
            409: OpenApiResponse(description="Stale version."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=ConditionSerializer)
    def condition(self, request, pk=None):
        """Mark the project normal, delayed or stopped (停建); the last two need a reason."""
        project = self.get_object()
        if not permissions.can_record_service(request.user, project):
            raise PermissionDenied
        form = ConditionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.set_condition(
            request.user,
            project,
            form.validated_data["condition"],
            form.validated_data["reason"],
            expected_version=form.validated_data.get("version"),
        )
        return self._respond(project)
