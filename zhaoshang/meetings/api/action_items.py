"""The action-items API (督办事项): list, create, edit and the owner's and the supervision office's actions."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district, expected_version
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import Light
from zhaoshang.core.ordering import NullsLastOrderingFilter
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.actions import ACTIONS
from zhaoshang.meetings.api._common import (
    DATE_HELP,
    FILE_HELP,
    UPLOAD_PARSERS,
    version_field,
    visible,
)
from zhaoshang.meetings.choices import ActionSource, ActionStatus
from zhaoshang.meetings.models import ActionItem, Meeting
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import Project
from zhaoshang.service.models import Need

# The lights of a running deadline and ``none`` (settled or without a deadline).
LIGHT_CHOICES = [
    (light.value, light.label) for light in (Light.GREEN, Light.YELLOW, Light.RED, Light.NONE)
]

# ---------------------------------------------------------------------------------------
# action-items


class ActionItemSerializer(ModelSerializer):
    # Not required here: a missing owner is refused by the service, in its own words.
    owner_department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    owner_person = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False
    )
    need = VisiblePrimaryKeyRelatedField(
        queryset=Need.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The problem (问题清单) the item follows; set on creation only."),
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    owner_department_name = serializers.CharField(source="owner_department.name", read_only=True)
    owner_person_name = serializers.CharField(
        source="owner_person.display_name", read_only=True, allow_null=True, default=None
    )
    project_name = serializers.CharField(
        source="project.name", read_only=True, allow_null=True, default=None
    )
    meeting = serializers.IntegerField(
        source="decision.meeting_id", read_only=True, allow_null=True, default=None
    )
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The due date; or give due_workdays instead."),
    )
    due_workdays = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=365,
        help_text=gettext_lazy("Due N working days after start_on (default today)."),
    )
    start_on = serializers.DateField(required=False, allow_null=True)
    days_left = serializers.IntegerField(
        read_only=True,
        help_text=gettext_lazy("Working days to the due date: 0 on it, negative once passed."),
    )
    light = serializers.ChoiceField(
        choices=LIGHT_CHOICES,
        read_only=True,
        help_text=gettext_lazy("none once reported done or closed."),
    )
    version = version_field()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "district",
            "number",
            "title",
            "description",
            "source",
            "project",
            "project_name",
            "meeting",
            "decision",
            "instruction",
            "need",
            "owner_department",
            "owner_department_name",
            "owner_person",
            "owner_person_name",
            "start_on",
            "due_workdays",
            "due_on",
            "due_is_provisional",
            "days_left",
            "light",
            "status",
            "completed_on",
            "closed_on",
            "escalated_on",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "district",
            "number",
            "source",
            "decision",
            "instruction",
            "due_is_provisional",
            "status",
            "completed_on",
            "closed_on",
            "escalated_on",
            "created_at",
            "updated_at",
        ]
        validators = []  # the number is allocated by the service


class ActionItemFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ActionStatus.choices)
    source = filters.ChoiceFilter(choices=ActionSource.choices)
    owner_department = filters.ModelChoiceFilter(queryset=visible(Department))
    project = filters.ModelChoiceFilter(queryset=visible(Project))
    meeting = filters.ModelChoiceFilter(
        field_name="decision__meeting", queryset=visible(Meeting), label=gettext_lazy("Meeting")
    )
    light = filters.ChoiceFilter(choices=LIGHT_CHOICES)
    overdue = filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("Overdue"))

    class Meta:
        model = ActionItem
        fields = ["status", "source", "owner_department", "owner_person", "project", "need"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(clock.today())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ActionItemPermission(BasePermission):
    """Direct assignment is for leaders, the supervision office and admins (the service
    checks the district again); changes are the supervision office's; each action checks
    its own rule on the item."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.can_assign(request.user, request.user.district_id)

    def has_object_permission(self, request, view, obj):
        if getattr(view, "action", None) in ("update", "partial_update"):
            return permissions.can_supervise(request.user, obj)
        return True


class ActionItemProgressSerializer(Serializer):
    text = serializers.CharField()
    recorded_on = serializers.DateField(required=False, help_text=DATE_HELP)
    file = serializers.FileField(required=False, help_text=FILE_HELP)
    version = version_field()


class ActionItemCompleteSerializer(Serializer):
    text = serializers.CharField(help_text=gettext_lazy("What was done."))
    completed_on = serializers.DateField(required=False, help_text=DATE_HELP)
    evidence = serializers.FileField(
        required=False,
        help_text=gettext_lazy("The evidence of completion (required): ") + FILE_HELP,
    )
    version = version_field()


class ActionItemCloseSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False, help_text=DATE_HELP)
    version = version_field()


class ActionItemReturnSerializer(Serializer):
    reason = serializers.CharField()
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("A new due date; the due date stays without it."),
    )
    version = version_field()


class ActionItemViewSet(ScopedModelViewSet):
    """Supervised action items (督办事项): created by meeting decisions, leaders'
    instructions or the supervision office; the owner reports progress and completion with
    evidence; the supervision office closes or sends back."""

    model = ActionItem
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    permission_classes = [StaffApiPermission, ActionItemPermission]
    filter_backends = [DjangoFilterBackend, NullsLastOrderingFilter]
    ordering_fields = ["id", "number", "due_on", "days_left", "created_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return ActionItem.objects.none()
        return (
            super()
            .get_queryset()
            .with_days_left(clock.today())
            .select_related("owner_department", "owner_person", "project", "decision")
            .order_by(F("days_left").asc(nulls_last=True), "id")
        )

    def _respond(self, item, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(
            ActionItemSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        item = services.create_action_item(
            request.user,
            district=caller_district(request),
            title=data.get("title", ""),
            owner_department=data.get("owner_department"),
            owner_person=data.get("owner_person"),
            due_on=data.get("due_on"),
            due_workdays=data.get("due_workdays"),
            start_on=data.get("start_on"),
            project=data.get("project"),
            need=data.get("need"),
            description=data.get("description", ""),
        )
        return self._respond(item, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        if "need" in data and data["need"] != item.need:
            raise exceptions.ValidationError(
                {"need": [gettext_lazy("The problem is set when the item is created.")]}
            )
        # What the client sent back unchanged is not a change (a PUT sends everything).
        changes = {
            name: value
            for name, value in data.items()
            if name in services.ACTION_ITEM_FIELDS and value != getattr(item, name)
        }
        services.update_action_item(request.user, item, changes, version)
        return self._respond(item)

    progress = api_action(
        ActionItemProgressSerializer,
        "办理进展: the owner reports progress.",
        action=ACTIONS["progress"],
        parser_classes=UPLOAD_PARSERS,
    )
    complete = api_action(
        ActionItemCompleteSerializer,
        "办结: the owner reports the item done, with the evidence (multipart ``evidence``).",
        action=ACTIONS["complete"],
        parser_classes=UPLOAD_PARSERS,
    )
    close = api_action(
        ActionItemCloseSerializer,
        "销号: the supervision office confirms and closes.",
        action=ACTIONS["close"],
        parser_classes=UPLOAD_PARSERS,
    )
    return_ = api_action(
        ActionItemReturnSerializer,
        "退回重办: the supervision office sends the item back, with the reason.",
        action=ACTIONS["return"],
        parser_classes=UPLOAD_PARSERS,
    )
