"""REST API of complaints (SPEC §9, §19): ``complaints``. Rows are scoped like the pages
(``visible_to``); every change goes through the services; ``days_left`` and ``light`` are
computed in SQL; the complainant's contact is blank for the department complained about
unless the complainant consented."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.parsers import SafeJSONParser, SafeMultiPartParser
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district
from zhaoshang.complaints import permissions, services
from zhaoshang.complaints.actions import ACTIONS
from zhaoshang.complaints.choices import Category, Channel, ComplaintStatus, Outcome, Rating
from zhaoshang.complaints.models import Complaint, ComplaintExtension
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.core.ordering import NullsLastOrderingFilter
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department
from zhaoshang.projects.models import Project

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing."
)


def _version_field():
    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class ComplaintExtensionSerializer(ModelSerializer):
    class Meta:
        model = ComplaintExtension
        fields = [
            "reason",
            "requested_by",
            "requested_on",
            "previous_answer_by",
            "approved",
            "workdays",
            "new_answer_by",
            "decided_by",
            "decided_on",
            "decision_reason",
        ]
        read_only_fields = fields


class ComplaintSerializer(ModelSerializer):
    enterprise = VisiblePrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    received_on = serializers.DateField(
        required=False, help_text=gettext_lazy("Defaults to today; cannot be in the future.")
    )
    extension = ComplaintExtensionSerializer(
        source="extension_or_none", read_only=True, allow_null=True
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "district",
            "enterprise",
            "project",
            "channel",
            "category",
            "department",
            "text",
            "contact_name",
            "contact_phone",
            "contact_consent",
            "reports_unapproved_visit",
            "status",
            "received_on",
            "dispatched_on",
            "accept_by",
            "answer_by",
            "answer_workdays",
            "dates_provisional",
            "extension",
            "due_on",
            "days_left",
            "light",
            "accepted_on",
            "answered_on",
            "department_view",
            "account",
            "verify_by",
            "outcome",
            "finding_reason",
            "overruled",
            "overrule_reason",
            "found_on",
            "found_by",
            "answer",
            "rating",
            "rated_on",
            "reopened",
            "version",
        ]
        read_only_fields = [
            "id",
            "number",
            "district",
            "reports_unapproved_visit",
            "status",
            "dispatched_on",
            "accept_by",
            "answer_by",
            "answer_workdays",
            "dates_provisional",
            "due_on",
            "accepted_on",
            "answered_on",
            "department_view",
            "account",
            "verify_by",
            "outcome",
            "finding_reason",
            "overruled",
            "overrule_reason",
            "found_on",
            "found_by",
            "answer",
            "rating",
            "rated_on",
            "reopened",
            "version",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            contact = instance.contact_for(request.user)
            data["contact_name"], data["contact_phone"] = contact["name"], contact["phone"]
        return data


class ComplaintFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ComplaintStatus.choices)
    category = filters.ChoiceFilter(choices=Category.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices)
    light = filters.ChoiceFilter(choices=DEADLINE_LIGHTS)

    class Meta:
        model = Complaint
        fields = ["status", "category", "channel", "department", "enterprise", "light"]


class ComplaintPermission(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.can_receive(request.user, request.user.district_id)


class ComplaintDispatchSerializer(Serializer):
    department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    version = _version_field()


class ComplaintAcceptSerializer(Serializer):
    version = _version_field()


class ComplaintAnswerSerializer(Serializer):
    """The department's answer with the facts; every missing field is said at once by the
    service. The finding is not the department's: an ``outcome`` is refused."""

    department_view = serializers.ChoiceField(
        choices=Outcome.choices,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("The department's own view; the finding is the office's."),
    )
    account = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("The facts (情况说明).")
    )
    attachment = serializers.FileField(required=False, allow_null=True)
    version = _version_field()

    def validate(self, attrs):
        if "outcome" in getattr(self, "initial_data", {}):
            raise serializers.ValidationError(
                {
                    "outcome": gettext_lazy(
                        "The finding is recorded by the supervision office, not by the "
                        "department complained about."
                    )
                }
            )
        return attrs


class ComplaintVerifySerializer(Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)
    finding_reason = serializers.CharField(required=False, allow_blank=True)
    overrule_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required when the finding differs from the department's view."),
    )
    answer = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("The answer to the enterprise.")
    )
    version = _version_field()


class ComplaintRateSerializer(Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required when the enterprise is not satisfied."),
    )
    version = _version_field()


class ComplaintRequestExtensionSerializer(Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = _version_field()


class ComplaintDecideExtensionSerializer(Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    workdays = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=gettext_lazy(
            "Working days after the dispatch, at most 15 and more than the current limit; "
            "15 when left out."
        ),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required when rejecting."),
    )
    version = _version_field()


class ComplaintViewSet(ScopedModelViewSet):
    """Complaints (投诉): received on behalf of an enterprise, dispatched by the
    supervision office, accepted and answered with the facts by the department complained
    about, verified by the supervision office (the finding), rated."""

    model = Complaint
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    permission_classes = [StaffApiPermission, ComplaintPermission]
    filter_backends = [DjangoFilterBackend, NullsLastOrderingFilter]
    ordering_fields = ["id", "number", "received_on", "due_on", "days_left"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return (
            super()
            .get_queryset()
            .with_days_left(clock.today())
            .select_related("department", "enterprise", "project", "extension")
            .order_by(F("days_left").asc(nulls_last=True), "id")
        )

    def _respond(self, complaint, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=complaint.pk)
        return Response(
            ComplaintSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        complaint = services.receive_complaint(
            request.user,
            district=caller_district(request),
            enterprise=data.get("enterprise"),
            project=data.get("project"),
            department=data.get("department"),
            channel=data.get("channel", ""),
            category=data.get("category", ""),
            text=data.get("text", ""),
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            contact_consent=data.get("contact_consent", False),
            received_on=data.get("received_on"),
        )
        return self._respond(complaint, status.HTTP_201_CREATED)

    dispatch_ = api_action(
        ComplaintDispatchSerializer,
        "交办: the supervision office dispatches it.",
        action=ACTIONS["dispatch"],
    )
    accept = api_action(
        ComplaintAcceptSerializer,
        "受理: the department complained about accepts it.",
        action=ACTIONS["accept"],
    )
    answer = api_action(
        ComplaintAnswerSerializer,
        "情况说明: the department answers with the facts and its view (no finding); JSON, or "
        "multipart with an attachment.",
        action=ACTIONS["answer"],
        parser_classes=[SafeMultiPartParser, FormParser, SafeJSONParser],
    )
    verify = api_action(
        ComplaintVerifySerializer,
        "核查认定: the supervision office records the finding with its reasoning (overruling "
        "the department's view with a reason) and answers the enterprise; 属实/部分属实 "
        "writes the ledger.",
        action=ACTIONS["verify"],
    )
    rate = api_action(
        ComplaintRateSerializer,
        "评价: the enterprise's rating; 不满意 reopens it once.",
        action=ACTIONS["rate"],
    )
    request_extension = api_action(
        ComplaintRequestExtensionSerializer,
        "复杂案件延期申请: the department asks for more time, with a reason (once).",
        action=ACTIONS["request_extension"],
    )
    decide_extension = api_action(
        ComplaintDecideExtensionSerializer,
        "延期审批: the supervision office approves (at most 15 working days after the "
        "dispatch) or rejects with a reason.",
        action=ACTIONS["decide_extension"],
    )
