"""REST API of exit warnings (SPEC §11, §19): ``warnings``. Rows are scoped like the pages
(``visible_to``); warnings are raised by the daily scan, never created here; the steps and
the delay attribution are actions that go through the services (a document is sent as
multipart form data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ResourceSchema, answer_after_commit
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.exits.actions import ACTIONS
from zhaoshang.exits.choices import RuleCode, WarningStatus
from zhaoshang.exits.models import ExitStep, ExitWarning

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing."
)


def _version_field():
    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class ExitStepSerializer(ModelSerializer):
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = ExitStep
        fields = [
            "id",
            "kind",
            "occurred_on",
            "deadline",
            "original_name",
            "document_url",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_document_url(self, obj) -> str:
        return obj.get_absolute_url()


class ExitWarningSerializer(ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True)
    months = serializers.IntegerField(source="rule.months", read_only=True)
    park = serializers.IntegerField(source="project.park_id", read_only=True)
    steps = ExitStepSerializer(many=True, read_only=True)
    days_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Working days left to rectify, under a rectification notice."),
    )
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    addressed_to = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "enterprise: a rule the enterprise answers for; government: the government's own "
            "rule (land not delivered), which takes no step against the enterprise."
        )
    )
    delay_causes = serializers.JSONField(
        read_only=True,
        help_text=gettext_lazy(
            "The government's held intervals: kind (case, milestone, obligation, problem, "
            "land), title, department, due_on, done_on, start and end (held on the working "
            "days after start up to end), open, workdays in the window, url of the source."
        ),
    )

    class Meta:
        model = ExitWarning
        fields = [
            "id",
            "district",
            "project",
            "park",
            "rule",
            "months",
            "addressed_to",
            "due_source",
            "anchor_on",
            "due_on",
            "effective_due_on",
            "held_since",
            "raised_on",
            "status",
            "notice_deadline",
            "days_left",
            "light",
            "delay_workdays",
            "delay_causes",
            "delay_reason",
            "delay_confirmed_on",
            "delay_confirmed_by",
            "excluded_on",
            "cleared_on",
            "cleared_note",
            "steps",
            "version",
        ]
        read_only_fields = fields

    def get_addressed_to(self, obj) -> str:
        return "government" if obj.rule.is_government else "enterprise"


class ExitWarningFilter(filters.FilterSet):
    rule = filters.ChoiceFilter(field_name="rule__code", choices=RuleCode.choices)
    status = filters.ChoiceFilter(choices=WarningStatus.choices)
    park = filters.NumberFilter(field_name="project__park")

    class Meta:
        model = ExitWarning
        fields = ["rule", "status", "park", "project"]


class _StepSerializer(Serializer):
    occurred_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Defaults to today.")
    )
    document = serializers.FileField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    version = _version_field()


class NoticeSerializer(_StepSerializer):
    deadline = serializers.DateField(required=False, allow_null=True)


class ConfirmDelaySerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)
    version = _version_field()


class ExitWarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Exit warnings (退出预警): raised by the daily scan; the supervision office, the bureau
    and admins record the rectification notice, the clearance decision and the land
    recovery, and confirm the government delay."""

    serializer_class = ExitWarningSerializer
    filterset_class = ExitWarningFilter
    permission_classes = [StaffApiPermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "raised_on", "due_on", "effective_due_on"]
    parser_classes = PARSERS
    schema = ResourceSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExitWarning.objects.none()
        return (
            ExitWarning.objects.visible_to(self.request.user)
            .with_days_left(clock.today())
            .select_related("rule", "project")
            .prefetch_related("steps")
            .order_by("-raised_on", "-id")
        )

    @answer_after_commit
    def _respond(self, warning) -> Response:
        fresh = self.get_queryset().get(pk=warning.pk)
        return Response(
            ExitWarningSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK,
        )

    notice = api_action(
        NoticeSerializer,
        "限期整改通知: the rectification notice, with a deadline and a document.",
        action=ACTIONS["notice"],
    )
    clearance = api_action(
        _StepSerializer,
        "清退决定: the clearance decision, after the deadline.",
        action=ACTIONS["clearance"],
    )
    recover = api_action(_StepSerializer, "收回土地: the land recovery.", action=ACTIONS["recover"])
    confirm_delay = api_action(
        ConfirmDelaySerializer,
        "政府原因延误: the office confirms the government's held intervals (the due date "
        "moves out by them by itself, daily).",
        action=ACTIONS["confirm_delay"],
    )
