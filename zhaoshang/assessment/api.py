"""REST API of the assessment (SPEC §12, §16): ``assessment-entries`` (the ledger, read-only,
scoped like the pages: the supervision office, leaders and admins see every department of
their district, a department its own, city users every district) and
``assessment-standings`` (the year's derived scores and ranks, ``?year=``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.response import Response

from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ResourceSchema
from zhaoshang.assessment import permissions, scoring
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core import clock, roles
from zhaoshang.org.models import District


class LedgerEntrySerializer(ModelSerializer):
    evidence_type = serializers.SerializerMethodField(
        help_text=gettext_lazy("The kind of record the entry rests on (app.model), if any.")
    )
    evidence_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The page of the evidence, or the hand entry's file.")
    )
    objection_status = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "district",
            "department",
            "year",
            "points",
            "rule_code",
            "reason",
            "occurred_on",
            "evidence_type",
            "evidence_id",
            "evidence_url",
            "corrects",
            "created_by",
            "created_at",
            "objection_status",
        ]
        read_only_fields = fields

    def get_evidence_type(self, entry) -> str | None:
        return (
            entry.evidence_type.model_class()._meta.label_lower if entry.evidence_type_id else None
        )

    def get_evidence_url(self, entry) -> str | None:
        from django.urls import reverse

        if entry.evidence_file:
            return reverse("assessment:entry_file", args=[entry.pk])
        evidence = entry.evidence if entry.evidence_type_id else None
        return evidence.get_absolute_url() if evidence is not None else None

    def get_objection_status(self, entry) -> str | None:
        objection = getattr(entry, "objection", None)
        return objection.status if objection is not None else None


class LedgerEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The entries of the departments' assessment ledger, read-only (filters: year,
    department, rule_code)."""

    serializer_class = LedgerEntrySerializer
    permission_classes = [StaffApiPermission]
    schema = ResourceSchema()
    filterset_fields = ["year", "department", "rule_code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        return (
            LedgerEntry.objects.visible_to(self.request.user)
            .select_related("evidence_type", "objection")
            .prefetch_related("evidence")
            .order_by("-year", "-occurred_on", "-id")
        )


class StandingSerializer(Serializer):
    year = serializers.IntegerField()
    district = serializers.IntegerField(source="department.district_id")
    department = serializers.IntegerField(source="department.pk")
    department_name = serializers.CharField(source="department.name")
    rank = serializers.IntegerField()
    base = serializers.DecimalField(max_digits=8, decimal_places=2)
    deductions = serializers.DecimalField(max_digits=8, decimal_places=2)
    additions = serializers.DecimalField(max_digits=8, decimal_places=2)
    score = serializers.DecimalField(max_digits=8, decimal_places=2)
    entry_count = serializers.IntegerField()


class StandingListSerializer(Serializer):
    """The standings of a year: ``count`` and ``results`` like every list."""

    count = serializers.IntegerField()
    results = StandingSerializer(many=True)


class _Row:
    """A standing with its year, for the serializer."""

    def __init__(self, year, standing):
        self.year = year
        self.__dict__.update(standing.__dict__)


class StandingViewSet(viewsets.ViewSet):
    """The departments' scores and ranks for a year (``?year=``, default this year), derived
    from the ledger; city users choose the district (``?district=``)."""

    permission_classes = [StaffApiPermission]
    schema = ResourceSchema()
    http_method_names = ["get", "head", "options"]
    list_answers_one_object = True

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("district", OpenApiTypes.INT),
        ],
        responses={200: StandingListSerializer},
    )
    def list(self, request):
        user = request.user
        year_text = request.query_params.get("year") or str(clock.today().year)
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise exceptions.ValidationError({"year": [_("Year: give a year such as 2026.")]})
        year = int(year_text)
        if not permissions.may_read_ledger(user):
            return Response({"count": 0, "results": []})
        if roles.sees_all_districts(user):
            wanted = request.query_params.get("district") or ""
            districts = District.objects.order_by("id")
            district = (
                districts.filter(pk=wanted).first() if wanted.isdigit() else districts.first()
            )
            if district is None:
                raise exceptions.ValidationError({"district": [_("District: no such district.")]})
            district_id = district.pk
        else:
            district_id = user.district_id
        rows = scoring.standings(district_id, year)
        if not permissions.sees_every_department(user):
            own = permissions.own_department_id(user)
            rows = [s for s in rows if s.department.pk == own]
        data = StandingSerializer([_Row(year, s) for s in rows], many=True).data
        return Response({"count": len(data), "results": data})
