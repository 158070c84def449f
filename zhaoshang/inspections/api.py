"""REST API of inspection requests (SPEC §9, §19): ``inspections``. Rows are scoped like
the pages (``visible_to``); every change goes through the services; the visits are nested
read-only, and their verification codes are given only to the filing department and the
supervision office (blank for everyone else)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.inspections import permissions, services
from zhaoshang.inspections.actions import REQUEST_ACTIONS, VISIT_ACTIONS
from zhaoshang.inspections.choices import Kind, Rating, RequestStatus
from zhaoshang.inspections.models import InspectionRequest, InspectionVisit
from zhaoshang.org.models import Department

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing."
)


def _version_field():
    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class InspectionVisitSerializer(ModelSerializer):
    code = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The verification code; blank unless you are of the filing department or the "
            "supervision office."
        )
    )

    class Meta:
        model = InspectionVisit
        fields = [
            "id",
            "enterprise",
            "visit_on",
            "code",
            "joint",
            "carried_out_on",
            "findings",
            "rating",
            "rating_comment",
            "rated_on",
            "version",
        ]
        read_only_fields = fields

    def get_code(self, visit) -> str:
        user = getattr(self.context.get("request"), "user", None)
        if visit.code and permissions.can_see_codes(user, visit.request):
            return visit.code
        return ""


class InspectionRequestSerializer(ModelSerializer):
    department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        help_text=gettext_lazy("Defaults to your own department."),
    )
    enterprises = VisiblePrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), many=True, write_only=True
    )
    visits = InspectionVisitSerializer(many=True, read_only=True)
    due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The date the decision is due (the planned date of a request awaiting approval)."
        ),
    )
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)

    class Meta:
        model = InspectionRequest
        fields = [
            "id",
            "number",
            "district",
            "kind",
            "department",
            "enterprises",
            "purpose",
            "legal_basis",
            "planned_on",
            "people",
            "is_emergency",
            "emergency_reason",
            "quiet_day_reason",
            "fee_amount",
            "fee_basis",
            "status",
            "filed_on",
            "filed_by",
            "decided_on",
            "decision_reason",
            "due_on",
            "days_left",
            "light",
            "visits",
            "version",
        ]
        read_only_fields = [
            "id",
            "number",
            "district",
            "status",
            "filed_on",
            "filed_by",
            "decided_on",
            "decision_reason",
            "version",
        ]
        extra_kwargs = {
            "purpose": {"required": False},
            "legal_basis": {"required": False},
            "planned_on": {"required": False},
        }


class InspectionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=RequestStatus.choices)
    kind = filters.ChoiceFilter(choices=Kind.choices)
    planned_after = filters.DateFilter(field_name="planned_on", lookup_expr="gte")
    planned_before = filters.DateFilter(field_name="planned_on", lookup_expr="lte")

    class Meta:
        model = InspectionRequest
        fields = ["status", "kind", "department", "is_emergency"]


class InspectionPermission(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.can_file(request.user, request.user.district_id)


class VersionSerializer(Serializer):
    version = _version_field()


class RejectSerializer(Serializer):
    reason = serializers.CharField()
    version = _version_field()


class CancelSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)
    version = _version_field()


class MergeSerializer(Serializer):
    others = VisiblePrimaryKeyRelatedField(queryset=InspectionVisit.objects.all(), many=True)
    visit_on = serializers.DateField()
    lead_department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    version = _version_field()


class RecordSerializer(Serializer):
    carried_out_on = serializers.DateField()
    findings = serializers.CharField()
    version = _version_field()


class RateSerializer(Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True)
    version = _version_field()


def _visit(inspection, visit_pk=None):
    """The visit in the URL, of this request (404 otherwise)."""
    visit = inspection.visits.filter(pk=visit_pk).first() if str(visit_pk).isdigit() else None
    if visit is None:
        raise NotFound
    return visit


def _visit_action(serializer, doc: str, slug: str):
    return api_action(
        serializer,
        doc,
        action=VISIT_ACTIONS[slug],
        target=_visit,
        url_path=rf"visits/(?P<visit_pk>[0-9]+)/{slug}",
        url_name=f"visit-{slug}",
    )


class InspectionViewSet(ScopedModelViewSet):
    """Inspection and fee requests (涉企检查/收费申报): filed by a department, approved or
    rejected by the supervision office; each visit carries its verification code."""

    model = InspectionRequest
    serializer_class = InspectionRequestSerializer
    filterset_class = InspectionFilter
    permission_classes = [StaffApiPermission, InspectionPermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "number", "planned_on", "filed_on"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InspectionRequest.objects.none()
        pending_first = Case(
            When(status=RequestStatus.FILED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (
            super()
            .get_queryset()
            .with_days_left(clock.today())
            .prefetch_related(Prefetch("visits", queryset=InspectionVisit.objects.order_by("id")))
            .order_by(pending_first, "-planned_on", "-id")
        )

    def _respond(self, inspection, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(
            InspectionRequestSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        department = data.get("department") or request.user.department
        inspection = services.file_request(
            request.user,
            district=caller_district(request),
            department=department,
            kind=data.get("kind", ""),
            enterprises=data.get("enterprises", []),
            purpose=data.get("purpose", ""),
            legal_basis=data.get("legal_basis", ""),
            planned_on=data.get("planned_on"),
            people=data.get("people", ""),
            is_emergency=data.get("is_emergency", False),
            emergency_reason=data.get("emergency_reason", ""),
            quiet_day_reason=data.get("quiet_day_reason", ""),
            fee_amount=data.get("fee_amount"),
            fee_basis=data.get("fee_basis", ""),
        )
        return self._respond(inspection, status.HTTP_201_CREATED)

    approve = api_action(
        VersionSerializer,
        "审批通过: the supervision office approves.",
        action=REQUEST_ACTIONS["approve"],
    )
    reject = api_action(
        RejectSerializer, "不予批准: rejected with a reason.", action=REQUEST_ACTIONS["reject"]
    )
    cancel = api_action(
        CancelSerializer, "撤回: the filing department cancels.", action=REQUEST_ACTIONS["cancel"]
    )
    merge = _visit_action(MergeSerializer, "联合检查: merge visits (进一次门、查多项事).", "merge")
    record = _visit_action(RecordSerializer, "记录检查: the visit took place.", "record")
    rate = _visit_action(RateSerializer, "评价: the enterprise's rating of a visit, once.", "rate")
