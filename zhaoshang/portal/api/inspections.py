"""Portal API: inspections and fees (涉企检查/收费). ``portal/inspections/``: the visits
approved for the caller's enterprise, each with its code, date, department and state (a
visit of another enterprise is a 404); ``check/?code=`` answers whether the code allows a
visit to the caller's enterprise today; ``report/`` reports a visit that had no approved
code (it becomes a complaint); ``{id}/rate/`` rates a visit carried out. The changes go
through ``inspections.services``, like the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from zhaoshang.api.exceptions import django_errors_to_drf
from zhaoshang.api.serializers import Serializer
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.inspections import services, verification
from zhaoshang.inspections.choices import Kind, Rating
from zhaoshang.inspections.models import InspectionVisit
from zhaoshang.org.models import Department
from zhaoshang.portal import visits
from zhaoshang.portal.api.base import PortalViewSet, request_fields
from zhaoshang.portal.views.inspections import UnapprovedVisitForm

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing."
)


class PortalVisitSerializer(Serializer):
    """One visit (or fee) approved for the enterprise, as the enterprise sees it."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(source="request.number", read_only=True)
    kind = serializers.ChoiceField(source="request.kind", choices=Kind.choices, read_only=True)
    department = serializers.IntegerField(source="request.department_id", read_only=True)
    department_name = serializers.CharField(source="request.department.name", read_only=True)
    purpose = serializers.CharField(source="request.purpose", read_only=True)
    legal_basis = serializers.CharField(source="request.legal_basis", read_only=True)
    inspectors = serializers.CharField(source="request.people", read_only=True)
    fee_amount = serializers.DecimalField(
        source="request.fee_amount",
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
    )
    fee_basis = serializers.CharField(source="request.fee_basis", read_only=True)
    visit_on = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True)
    code = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The verification code the inspectors show.")
    )
    visit_state = serializers.SerializerMethodField()
    joint = serializers.SerializerMethodField(
        help_text=gettext_lazy("Several departments come together on one visit.")
    )
    carried_out_on = serializers.DateField(read_only=True, allow_null=True)
    findings = serializers.CharField(read_only=True)
    rating = serializers.CharField(read_only=True)
    rating_comment = serializers.CharField(read_only=True)
    rated_on = serializers.DateField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=visits.VisitState.choices))
    def get_visit_state(self, visit) -> str:
        return visits.state_of(visit, self.context.get("today") or clock.today())

    def get_joint(self, visit) -> bool:
        return bool(visit.joint_id)


class CheckedDepartmentSerializer(Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    inspectors = serializers.CharField(source="people")


class CodeCheckSerializer(Serializer):
    """The answer to a check of a code. ``visit`` and ``departments`` are given only for a
    code of the caller's own enterprise."""

    answer = serializers.ChoiceField(choices=visits.Answer.choices)
    answer_label = serializers.CharField(source="label")
    approved_today = serializers.BooleanField()
    code = serializers.CharField()
    visit = PortalVisitSerializer(allow_null=True)
    departments = CheckedDepartmentSerializer(many=True)


class UnapprovedVisitReportSerializer(Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), help_text=gettext_lazy("The department that came.")
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    visited_on = serializers.DateField()
    what_happened = serializers.CharField()
    code_shown = serializers.CharField(required=False, allow_blank=True, max_length=40)


class ReportedComplaintSerializer(Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class PortalVisitRateSerializer(Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("The reason; required when dissatisfied."),
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


def _rate(user, visit, data, version):
    return services.rate_visit(
        user,
        visit,
        rating=data.get("rating", ""),
        comment=data.get("comment", ""),
        expected_version=version,
    )


class PortalInspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The inspections and fees approved for the caller's enterprise (涉企检查/收费)."""

    queryset = InspectionVisit.objects.all()
    serializer_class = PortalVisitSerializer
    filter_backends: list = []

    def enterprise_rows(self, queryset):
        when = self.request.query_params.get("when", "") if self.action == "list" else ""
        rows = visits.own_visits(self.request.user, queryset)
        return visits.filter_when(rows, when if when in visits.When.values else "", clock.today())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": clock.today()}

    def _respond(self, visit, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=visit.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "when",
                OpenApiTypes.STR,
                enum=[v for v in visits.When.values if v],
                description="upcoming: still to come; past: carried out, lapsed or withdrawn.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        """The visits approved for the enterprise, the latest date first (``upcoming``:
        the soonest first)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True)],
        responses={200: CodeCheckSerializer},
    )
    @action(detail=False, methods=["get"], url_path="check", url_name="check")
    def check(self, request):
        """扫码入企: whether the code shown at the door allows a visit to the caller's
        enterprise today. A code of another enterprise says nothing of it. Unknown codes
        count against the caller's address; past the limit every check is refused (429)."""
        raw = (request.query_params.get("code") or "").strip()
        if not raw:
            raise serializers.ValidationError(
                {"code": [gettext_lazy("Give the code the inspectors show.")]}
            )
        address = verification.client_address(request)
        if verification.is_blocked(address):
            raise Throttled(wait=verification._limit()[1])
        result = visits.check_code(request.user, raw[:80])
        if result.failed:
            verification.record_failure(address)
        context = self.get_serializer_context()
        return Response(CodeCheckSerializer(result, context=context).data)

    @extend_schema(
        request=UnapprovedVisitReportSerializer, responses={201: ReportedComplaintSerializer}
    )
    @action(detail=False, methods=["post"], url_path="report", url_name="report")
    def report(self, request):
        """举报: a visit or fee with no approved code; it is received as a complaint of the
        enterprise (乱检查 or 乱收费), which the enterprise follows in its complaints."""
        user = request.user
        # The page's form: the same checks, every problem of the report in one 400.
        form = UnapprovedVisitForm(
            request_fields(request), district=user.district, enterprise=user.enterprise
        )
        if not form.is_valid():
            raise django_errors_to_drf(ValidationError(form.errors.as_data()))
        complaint = services.report_unapproved_visit(
            user,
            district=user.district,
            enterprise=user.enterprise,
            channel="portal",
            **form.cleaned_data,
        )
        return Response(ReportedComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)

    rate = api_action(
        PortalVisitRateSerializer,
        "评价: the enterprise rates a visit carried out, once (a reason when dissatisfied).",
        run=_rate,
        slug="rate",
    )


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("inspections", PortalInspectionViewSet, basename="portal-inspection")
