"""``obligations``: status derived in SQL; further obligations created here; confirm and
waive."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from zhaoshang.agreements import services
from zhaoshang.agreements.api.common import (
    AgreementCreatePermission,
    version_field,
)
from zhaoshang.agreements.choices import (
    ObligationKind,
    ObligationStatus,
    Party,
    Term,
)
from zhaoshang.agreements.models import (
    Agreement,
    Obligation,
    ObligationBreach,
)
from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, expected_version
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.org.models import Department
from zhaoshang.projects.models import Project

# ---------------------------------------------------------------------------------------
# obligations


class ObligationSerializer(ModelSerializer):
    agreement = VisiblePrimaryKeyRelatedField(queryset=Agreement.objects.all())
    department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    project = serializers.IntegerField(source="agreement.project_id", read_only=True)
    description = serializers.CharField(read_only=True)
    met_on = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=ObligationStatus.choices, read_only=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    current_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )
    has_breach = serializers.BooleanField(read_only=True)
    evidence = serializers.SerializerMethodField()
    version = version_field()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "district",
            "agreement",
            "project",
            "term",
            "party",
            "department",
            "kind",
            "title",
            "description",
            "target_amount",
            "target_stage",
            "target_text",
            "due_on",
            "met_on",
            "status",
            "light",
            "days_left",
            "current_value",
            "confirmed_on",
            "confirmation_note",
            "evidence",
            "waived_on",
            "waiver_reason",
            "has_breach",
            "version",
        ]
        read_only_fields = [
            "district",
            "term",
            "confirmed_on",
            "confirmation_note",
            "waived_on",
            "waiver_reason",
        ]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}

    def get_evidence(self, obj) -> str | None:
        """Where the status comes from: the evidence file, or the record it rests on."""
        if obj.evidence:
            return reverse("agreements:obligation_evidence", args=[obj.pk])
        ref = getattr(obj, "evidence_ref", None)
        if ref is None:
            return None
        project = obj.agreement.project_id
        if obj.kind == ObligationKind.STAGE:
            return reverse("projects:timeline", args=[project])
        if obj.kind == ObligationKind.INVESTMENT:
            return reverse("projects:progress", args=[project])
        if obj.kind == ObligationKind.SERVICE:
            return reverse("agreements:commitment", args=[ref])
        return None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.kind == ObligationKind.FUNDS and instance.met_on:
            data["evidence"] = reverse("projects:funds", args=[instance.agreement.project_id])
        return data


class ObligationFilter(filters.FilterSet):
    agreement = filters.ModelChoiceFilter(
        queryset=lambda request: Agreement.objects.visible_to(getattr(request, "user", None))
    )
    project = filters.ModelChoiceFilter(
        field_name="agreement__project",
        queryset=lambda request: Project.objects.visible_to(getattr(request, "user", None)),
    )
    department = filters.ModelChoiceFilter(
        queryset=lambda request: Department.objects.visible_to(getattr(request, "user", None))
    )
    party = filters.ChoiceFilter(choices=Party.choices)
    kind = filters.ChoiceFilter(choices=ObligationKind.choices)
    term = filters.ChoiceFilter(choices=Term.choices)
    status = filters.ChoiceFilter(choices=ObligationStatus.choices, method="by_status")
    light = filters.ChoiceFilter(choices=DEADLINE_LIGHTS, method="by_light")

    class Meta:
        model = Obligation
        fields = ["agreement", "project", "department", "party", "kind", "term"]

    def by_status(self, queryset, name, value):
        return queryset.filter(status=value)

    def by_light(self, queryset, name, value):
        return queryset.filter(light=value)


class ConfirmSerializer(Serializer):
    met_on = serializers.DateField()
    evidence = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = version_field()


class WaiveSerializer(Serializer):
    reason = serializers.CharField()
    waived_on = serializers.DateField(default=clock.today)
    version = version_field()


class ObligationViewSet(ScopedModelViewSet):
    """Obligations of the agreements (履约义务), of the enterprise or of a department, with
    the status derived from the project's records (``status``, ``met_on``, ``light``).
    The standard terms change with their agreement; further obligations are created here."""

    model = Obligation
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter
    permission_classes = [StaffApiPermission, AgreementCreatePermission]
    ordering_fields = ["id", "due_on", "days_left"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Obligation.objects.none()
        return (
            super()
            .get_queryset()
            .with_status(clock.today())
            .annotate(has_breach=Exists(ObligationBreach.objects.filter(obligation=OuterRef("pk"))))
            .select_related("agreement__project", "department")
            .order_by("due_on", "id")
        )

    def _fields(self, data) -> dict:
        return {n: data[n] for n in services.OBLIGATION_FIELDS if n in data}

    def _respond(self, ob, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=ob.pk)
        return Response(
            ObligationSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agreement = data.pop("agreement")
        ob = services.add_obligation(request.user, agreement, **self._fields(data))
        return self._respond(ob, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        if "agreement" in data and data["agreement"].pk != instance.agreement_id:
            raise DRFValidationError({"agreement": [_("An obligation stays with its agreement.")]})
        data.pop("agreement", None)
        ob = services.update_obligation(request.user, instance, version, **self._fields(data))
        return self._respond(ob)

    def perform_destroy(self, instance):
        services.delete_obligation(self.request.user, instance)

    confirm = api_action(
        ConfirmSerializer,
        "Confirm, with an evidence file, the day an obligation no record measures was met.",
        run=lambda user, ob, data, version: services.confirm_obligation(
            user,
            ob,
            met_on=data["met_on"],
            evidence=data["evidence"],
            note=data["note"],
            expected_version=version,
        ),
        parser_classes=PARSERS,
    )
    waive = api_action(
        WaiveSerializer,
        "Release an obligation, with the reason kept.",
        run=lambda user, ob, data, version: services.waive_obligation(
            user, ob, reason=data["reason"], waived_on=data["waived_on"], expected_version=version
        ),
    )
