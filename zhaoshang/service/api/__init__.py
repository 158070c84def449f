"""REST API for project service (SPEC §7, §19): ``receipts`` (with the leader's ``read``
and ``instructions``), ``needs`` (with their actions), ``second-round-services``, and
``forwards`` (``api/forwards.py``: both may be forwarded to the principal leaders).

Every change goes through ``service.services``; rows start from ``visible_to`` like the
pages, so a record outside the caller's scope is a 404. Receipts and needs are never
deleted: a receipt is corrected (PUT/PATCH, by its filer, with the reason), a need is
closed.
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, expected_version
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import Light
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import Project
from zhaoshang.service import permissions, services
from zhaoshang.service.actions import NEED_ACTIONS
from zhaoshang.service.api.forwards import ForwardActionMixin, ForwardViewSet
from zhaoshang.service.choices import (
    OPEN_NEED_STATUSES,
    NeedCategory,
    NeedStatus,
    ReceiptResult,
)
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService

# The lights of a running deadline and ``none`` (settled or without a deadline).
LIGHT_CHOICES = [
    (light.value, light.label) for light in (Light.GREEN, Light.YELLOW, Light.RED, Light.NONE)
]

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing; "
    "required on PUT, optional on PATCH and on actions."
)
DATE_HELP = gettext_lazy("Defaults to today; cannot be in the future.")
WRITE_METHODS = ["get", "post", "put", "patch", "head", "options"]


def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


def _refused(message: str = "") -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(message or None)


# ---------------------------------------------------------------------------------------
# receipts


class ReceiptSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    handler_user = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)
    approval_case = VisiblePrimaryKeyRelatedField(
        queryset=ApprovalCase.objects.all(), allow_null=True, required=False
    )
    handler_name = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Taken from the handler account when left empty."),
    )
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    project_name = serializers.CharField(source="project.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    correction_reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required when correcting (PUT/PATCH)."),
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "district",
            "number",
            "project",
            "project_name",
            "visited_on",
            "department",
            "department_name",
            "handler_name",
            "handler_user",
            "matter",
            "approval_case",
            "work_done",
            "result",
            "problems",
            "filed_by",
            "filed_at",
            "addressee",
            "read_at",
            "corrected_at",
            "correction_reason",
            "version",
        ]
        read_only_fields = [
            "district",
            "number",
            "filed_by",
            "filed_at",
            "addressee",
            "read_at",
            "corrected_at",
        ]


class ReceiptFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(queryset=_visible(Project))
    department = filters.ModelChoiceFilter(queryset=_visible(Department))
    result = filters.ChoiceFilter(choices=ReceiptResult.choices)
    visited_after = filters.DateFilter(field_name="visited_on", lookup_expr="gte")
    visited_before = filters.DateFilter(field_name="visited_on", lookup_expr="lte")
    mine = filters.BooleanFilter(
        method="filter_mine",
        label=gettext_lazy("Addressed to me"),
        help_text=gettext_lazy("true: the receipts sent to the caller as leader in charge."),
    )
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Receipt
        fields = ["project", "department", "result", "addressee", "filed_by"]

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = self.request.user
        return queryset.filter(addressee=user) if value else queryset.exclude(addressee=user)


class ActionItemInputSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    owner_department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False, default=None
    )
    owner_person = StaffUserField(
        queryset=User.objects.all(), allow_null=True, required=False, default=None
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    due_workdays = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=250
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")


class InstructionInputSerializer(Serializer):
    text = serializers.CharField()
    written_on = serializers.DateField(default=clock.today, help_text=DATE_HELP)
    items = ActionItemInputSerializer(
        many=True,
        help_text=gettext_lazy(
            "The action items (督办事项) the instruction orders: at least one, each with its "
            "owner department and a due date or a number of working days."
        ),
    )


class InstructionSerializer(ModelSerializer):
    action_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Instruction
        fields = ["id", "receipt", "project", "leader", "text", "written_on", "action_items"]
        read_only_fields = fields


class ReceiptViewSet(ForwardActionMixin, ScopedModelViewSet):
    """Service receipts (手续办理回执单). Filed by the project team only and sent to the
    project's leader in charge; corrected (PUT/PATCH) only by their filer, with the reason;
    never deleted."""

    model = Receipt
    serializer_class = ReceiptSerializer
    filterset_class = ReceiptFilter
    ordering_fields = ["id", "visited_on", "filed_at", "number"]
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Receipt.objects.none()
        return (
            super()
            .get_queryset()
            .select_related("project", "department")
            .order_by("-visited_on", "-id")
        )

    def _respond(self, receipt, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=receipt.pk)
        return Response(
            ReceiptSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for name in ("version", "correction_reason"):
            data.pop(name, None)
        project = data.pop("project")
        if not permissions.can_file_receipt(request.user, project):
            raise _refused(services.not_team_message(project))
        receipt = services.file_receipt(request.user, project, **data)
        return self._respond(receipt, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        receipt = self.get_object()
        if not permissions.can_correct_receipt(request.user, receipt):
            raise _refused()
        serializer = self.get_serializer(
            receipt, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        reason = data.pop("correction_reason", "")
        project = data.pop("project", receipt.project)
        if project.pk != receipt.project_id:
            raise exceptions.ValidationError(
                {"project": [gettext_lazy("A receipt stays with its project.")]}
            )
        changes = {k: v for k, v in data.items() if k in services.CORRECTABLE}
        receipt = services.correct_receipt(
            request.user, receipt, reason=reason, expected_version=version, **changes
        )
        return self._respond(receipt)

    @extend_schema(
        request=None,
        responses={200: ReceiptSerializer, 403: OpenApiResponse(description="Not yours.")},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """The leader the receipt is addressed to marks it read (once)."""
        receipt = self.get_object()
        if receipt.addressee_id != request.user.pk:
            raise _refused()
        services.mark_receipt_read(request.user, receipt)
        return self._respond(receipt)

    @extend_schema(
        request=InstructionInputSerializer,
        responses={
            201: InstructionSerializer,
            400: OpenApiResponse(description="{field: [messages]}; items: [{field: [...]}]"),
            403: OpenApiResponse(description="Not the leader in charge."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=InstructionInputSerializer)
    def instructions(self, request, pk=None):
        """批示: the leader in charge writes an instruction creating its action items."""
        receipt = self.get_object()
        if not permissions.can_instruct(request.user, receipt):
            raise _refused()
        form = InstructionInputSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            instruction = services.write_instruction(
                request.user,
                receipt,
                text=data["text"],
                written_on=data["written_on"],
                items=[dict(item) for item in data["items"]],
            )
        except services.InstructionItemError as exc:
            errors = [{} for _item in data["items"]]
            for index, error in exc.rows.items():
                errors[index] = {
                    field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()
                }
            others = {f: [str(m) for m in msgs] for f, msgs in exc.others.items()}
            others.pop("items", None)
            raise exceptions.ValidationError({**others, "items": errors}) from exc
        return Response(InstructionSerializer(instruction).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------
# needs


class NeedSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    receipt = VisiblePrimaryKeyRelatedField(
        queryset=Receipt.objects.all(), allow_null=True, required=False
    )
    project_name = serializers.CharField(source="project.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    days_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Working days to the due date: 0 on it, negative once passed."),
    )
    light = serializers.ChoiceField(
        choices=LIGHT_CHOICES,
        read_only=True,
        help_text=gettext_lazy("none once the problem is solved or closed."),
    )
    raised_on = serializers.DateField(required=False, help_text=DATE_HELP)
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

    class Meta:
        model = Need
        fields = [
            "id",
            "district",
            "number",
            "project",
            "project_name",
            "receipt",
            "raised_via",
            "raised_by",
            "raised_on",
            "category",
            "title",
            "description",
            "department",
            "department_name",
            "due_workdays",
            "due_on",
            "due_is_provisional",
            "days_left",
            "light",
            "status",
            "resolution",
            "resolved_on",
            "escalated_on",
            "escalation_note",
            "closed_on",
            "version",
        ]
        read_only_fields = [
            "district",
            "number",
            "raised_via",
            "raised_by",
            "due_on",
            "due_is_provisional",
            "status",
            "resolution",
            "resolved_on",
            "escalated_on",
            "escalation_note",
            "closed_on",
        ]
        extra_kwargs = {"due_workdays": {"min_value": 1, "max_value": services.MAX_NEED_WORKDAYS}}


class NeedFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(queryset=_visible(Project))
    department = filters.ModelChoiceFilter(queryset=_visible(Department))
    status = filters.MultipleChoiceFilter(choices=NeedStatus.choices)
    category = filters.ChoiceFilter(choices=NeedCategory.choices)
    light = filters.ChoiceFilter(
        method="filter_light",
        choices=LIGHT_CHOICES,
        help_text=gettext_lazy("green, yellow, red, or none (solved and closed problems)."),
    )
    open = filters.BooleanFilter(method="filter_open", label=gettext_lazy("Open"))
    escalated = filters.BooleanFilter(field_name="escalated_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Need
        fields = ["project", "department", "status", "category", "raised_via", "receipt"]

    def filter_light(self, queryset, name, value: str):
        return queryset.filter(light=value)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_NEED_STATUSES)
        return queryset.exclude(status__in=OPEN_NEED_STATUSES)


class NeedActionSerializer(Serializer):
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class NeedResolveSerializer(NeedActionSerializer):
    resolution = serializers.CharField()
    resolved_on = serializers.DateField(default=clock.today, help_text=DATE_HELP)


class NeedEscalateSerializer(NeedActionSerializer):
    escalation_note = serializers.CharField(
        help_text=gettext_lazy("Why a joint meeting is needed and what has been tried.")
    )


class NeedCloseSerializer(NeedActionSerializer):
    resolution = serializers.CharField(help_text=gettext_lazy("The reason for closing."))


class NeedViewSet(ForwardActionMixin, ScopedModelViewSet):
    """The problem list (问题清单): raised by the project team, assigned to a department
    with a time limit in working days, solved, closed or submitted to a joint meeting."""

    forward_kind = "need"

    model = Need
    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "due_on", "days_left", "raised_on"]
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Need.objects.none()
        return (
            super()
            .get_queryset()
            .with_days_left(clock.today())
            .select_related("project", "department")
            .order_by(F("due_on").asc(), "id")
        )

    def _respond(self, need, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=need.pk)
        return Response(
            NeedSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        project = data.pop("project")
        if not permissions.can_raise_need(request.user, project):
            raise _refused()
        need = services.raise_need(request.user, project, **data)
        return self._respond(need, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        need = self.get_object()
        if not permissions.can_edit_need(request.user, need):
            raise _refused()
        serializer = self.get_serializer(
            need, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        for fixed in ("project", "receipt", "raised_on"):
            value = data.pop(fixed, None)
            current = getattr(need, fixed)
            if value is not None and value != current:
                raise exceptions.ValidationError(
                    {fixed: [gettext_lazy("This cannot be changed once the problem is raised.")]}
                )
        need = services.update_need(request.user, need, expected_version=version, **data)
        return self._respond(need)

    start = api_action(
        NeedActionSerializer,
        "The assigned department takes the problem up.",
        action=NEED_ACTIONS["start"],
    )
    resolve = api_action(
        NeedResolveSerializer, "Solved: the resolution and the day.", action=NEED_ACTIONS["resolve"]
    )
    escalate = api_action(
        NeedEscalateSerializer,
        "Submit the problem to a joint meeting (联席会议).",
        action=NEED_ACTIONS["escalate"],
    )
    close = api_action(
        NeedCloseSerializer,
        "Close the problem without a solution, with the reason.",
        action=NEED_ACTIONS["close"],
    )


# ---------------------------------------------------------------------------------------
# second-round-services


class SecondRoundSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False
    )
    enterprise = VisiblePrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = SecondRoundService
        fields = [
            "id",
            "district",
            "kind",
            "project",
            "enterprise",
            "occurred_on",
            "counterparty",
            "amount",
            "description",
            "outcome",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["district", "recorded_by", "recorded_at"]
        extra_kwargs = {"outcome": {"required": False, "allow_blank": True}}
        validators = []  # the service checks that a project or an enterprise is given


class SecondRoundViewSet(ScopedModelViewSet):
    """Second-round service (二次招商服务): partners introduced, funds matched, low-efficiency
    enterprises upgraded. Recorded, not edited."""

    model = SecondRoundService
    serializer_class = SecondRoundSerializer
    filterset_fields = ["kind", "project", "enterprise"]
    ordering_fields = ["id", "occurred_on", "amount"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SecondRoundService.objects.none()
        return super().get_queryset().order_by("-occurred_on", "-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        record = services.record_second_round(request.user, **data)
        return Response(
            SecondRoundSerializer(record, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


__all__ = [
    "ForwardViewSet",
    "NeedViewSet",
    "ReceiptViewSet",
    "SecondRoundViewSet",
]
