"""``agreements``: an agreement with its terms and investment schedule."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from zhaoshang.agreements import services
from zhaoshang.agreements.api.common import (
    AgreementCreatePermission,
    version_field,
)
from zhaoshang.agreements.models import (
    Agreement,
    Obligation,
)
from zhaoshang.agreements.querysets import attach_performance
from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, expected_version
from zhaoshang.core import clock
from zhaoshang.projects.models import Project

# ---------------------------------------------------------------------------------------
# agreements


class TermsSerializer(Serializer):
    start_by = serializers.DateField(allow_null=True, required=False)
    completion_by = serializers.DateField(allow_null=True, required=False)
    production_by = serializers.DateField(allow_null=True, required=False)
    intensity = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False
    )
    intensity_by = serializers.DateField(allow_null=True, required=False)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, required=False)
    tax_by = serializers.DateField(allow_null=True, required=False)
    jobs = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    jobs_by = serializers.DateField(allow_null=True, required=False)
    output = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False
    )
    output_by = serializers.DateField(allow_null=True, required=False)
    energy = serializers.CharField(
        max_length=200, allow_null=True, allow_blank=True, required=False
    )
    energy_by = serializers.DateField(allow_null=True, required=False)


class ScheduleRowSerializer(Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("Cumulative funds in place due by the date (10k yuan)."),
    )


class AgreementSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_name = serializers.CharField(source="project.name", read_only=True)
    terms = TermsSerializer(
        required=False,
        help_text=gettext_lazy("The terms; each filled term is an obligation of the enterprise."),
    )
    schedule = ScheduleRowSerializer(many=True, required=False)
    is_performing = serializers.BooleanField(read_only=True)
    obligations_total = serializers.IntegerField(read_only=True)
    obligations_missed = serializers.IntegerField(read_only=True)
    obligations_met_on_time = serializers.IntegerField(read_only=True)
    obligations_decided = serializers.IntegerField(read_only=True)
    on_time_share = serializers.FloatField(read_only=True, allow_null=True)
    version = version_field()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "district",
            "project",
            "project_name",
            "number",
            "signed_on",
            "government_party",
            "enterprise_party",
            "other_parties",
            "contracted_investment",
            "land_area",
            "service_clauses",
            "document",
            "terms",
            "schedule",
            "is_performing",
            "obligations_total",
            "obligations_missed",
            "obligations_met_on_time",
            "obligations_decided",
            "on_time_share",
            "version",
        ]
        read_only_fields = ["district", "document"]
        validators = []  # the number's uniqueness is the service's, with its message

    def to_representation(self, instance):
        data = super().to_representation(instance)
        values = services.term_values(instance)
        # the serializer's own bound fields, not a serializer built per agreement (a page of
        # 50 built 100 and copied their fields)
        data["terms"] = self.fields["terms"].to_representation(values["terms"])
        data["schedule"] = self.fields["schedule"].to_representation(
            [{"due_on": d, "amount": a} for d, a in values["schedule"]]
        )
        return data


class AgreementFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(
        queryset=lambda request: Project.objects.visible_to(getattr(request, "user", None))
    )

    class Meta:
        model = Agreement
        fields = ["project"]


class AgreementViewSet(ScopedModelViewSet):
    """Investment agreements (投资协议) with their terms and investment schedule and the
    project's 履约 figures, computed in SQL."""

    model = Agreement
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    permission_classes = [StaffApiPermission, AgreementCreatePermission]
    ordering_fields = ["id", "signed_on", "number"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        # The 履约 figures are set on the rows shown (``attach_performance``), not computed
        # by the database for every row: nothing filters or sorts on them. A record read to
        # be shown gets its obligations' term columns only; one to be changed or deleted,
        # whole obligations (a deletion writes each one's history).
        obligations = Obligation.objects
        if self.action in ("list", "retrieve"):
            obligations = obligations.only(*services.TERM_VALUE_FIELDS)
        return (
            super()
            .get_queryset()
            .select_related("project")
            .prefetch_related(Prefetch("obligations", obligations.order_by("due_on", "id")))
            .order_by("-signed_on", "-id")
        )

    def _save(self, serializer, instance=None, version=None):
        data = dict(serializer.validated_data)
        project = data.pop("project", None) or instance.project
        if instance is not None and project.pk != instance.project_id:
            raise DRFValidationError({"project": [_("An agreement stays with its project.")]})
        current = services.term_values(instance)
        terms = dict(current["terms"])
        terms.update(data.pop("terms", {}) or {})
        if terms.get("energy") == "":
            terms["energy"] = None
        schedule_rows = data.pop("schedule", None)
        schedule = (
            [(r["due_on"], r["amount"]) for r in schedule_rows]
            if schedule_rows is not None
            else current["schedule"]
        )
        fields = {n: data[n] for n in services.AGREEMENT_FIELDS if n in data}
        if instance is not None:
            for name in services.AGREEMENT_FIELDS:
                fields.setdefault(name, getattr(instance, name))
        return services.save_agreement(
            self.request.user,
            project,
            fields=fields,
            terms=terms,
            schedule=schedule,
            agreement=instance,
            expected_version=version,
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else attach_performance(page, clock.today())

    def retrieve(self, request, *args, **kwargs):
        agreement = attach_performance([self.get_object()], clock.today())[0]
        return Response(self.get_serializer(agreement).data)

    def _respond(self, agreement, code=status.HTTP_200_OK) -> Response:
        fresh = attach_performance([self.get_queryset().get(pk=agreement.pk)], clock.today())[0]
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data.pop("version", None)
        return self._respond(self._save(serializer), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        version = expected_version(serializer, serializer.validated_data)
        return self._respond(self._save(serializer, instance, version))

    def perform_destroy(self, instance):
        services.delete_agreement(self.request.user, instance)
