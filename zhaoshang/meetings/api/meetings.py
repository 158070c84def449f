"""The meetings API: scheduling, editing, holding, the minutes, the agenda, decisions and the joint decision."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district, expected_version
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.actions import api_action
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.actions import MEETING_ACTIONS
from zhaoshang.meetings.api._common import (
    DATE_HELP,
    FILE_HELP,
    UPLOAD_PARSERS,
    version_field,
    visible,
)
from zhaoshang.meetings.choices import MeetingKind, MeetingStatus
from zhaoshang.meetings.models import ActionItem, AgendaItem, Decision, Meeting
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import Project
from zhaoshang.service.models import Need

# ---------------------------------------------------------------------------------------
# meetings


class AgendaItemSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False
    )
    need = VisiblePrimaryKeyRelatedField(
        queryset=Need.objects.all(), allow_null=True, required=False
    )
    case = VisiblePrimaryKeyRelatedField(
        queryset=ApprovalCase.objects.all(), allow_null=True, required=False
    )
    subject = serializers.CharField(read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "order", "subject", "topic", "project", "need", "case", "note"]
        read_only_fields = ["order"]


class DecisionSerializer(ModelSerializer):
    action_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "number", "text", "agenda_item", "joint_decision", "action_items"]
        read_only_fields = fields


class MeetingSerializer(ModelSerializer):
    chair = StaffUserField(queryset=User.objects.all())
    departments = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    attendees = StaffUserField(queryset=User.objects.all(), many=True, required=False)
    chair_name = serializers.CharField(source="chair.display_name", read_only=True)
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    minutes_file_url = serializers.SerializerMethodField()
    needs = VisiblePrimaryKeyRelatedField(
        queryset=Need.objects.all(),
        many=True,
        required=False,
        write_only=True,
        help_text=gettext_lazy(
            "On scheduling: the escalated problems to put on the agenda; all those waiting "
            "for a meeting when left out."
        ),
    )
    projects = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), many=True, required=False, write_only=True
    )
    cases = VisiblePrimaryKeyRelatedField(
        queryset=ApprovalCase.objects.all(), many=True, required=False, write_only=True
    )
    topics = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, write_only=True
    )
    version = version_field()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "district",
            "number",
            "kind",
            "title",
            "held_on",
            "starts_at",
            "place",
            "chair",
            "chair_name",
            "departments",
            "attendees",
            "status",
            "minutes_number",
            "minutes",
            "minutes_issued_on",
            "minutes_file_url",
            "agenda",
            "decisions",
            "needs",
            "projects",
            "cases",
            "topics",
            "created_at",
            "version",
        ]
        read_only_fields = [
            "district",
            "number",
            "status",
            "minutes",
            "minutes_issued_on",
            "created_at",
        ]
        validators = []  # the number is allocated by the service

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_minutes_file_url(self, meeting) -> str | None:
        if not meeting.minutes_file:
            return None
        return reverse("meetings:minutes_file", args=[meeting.pk])


class MeetingFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=MeetingKind.choices)
    status = filters.MultipleChoiceFilter(choices=MeetingStatus.choices)
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte")
    project = filters.ModelChoiceFilter(
        field_name="agenda_items__project",
        queryset=visible(Project),
        distinct=True,
        label=gettext_lazy("Project on the agenda"),
    )

    class Meta:
        model = Meeting
        fields = ["kind", "status", "chair"]


class MeetingPermission(BasePermission):
    """Scheduling and changing meetings is for their organisers (leaders, the bureau, the
    supervision office, admins); the services check each meeting again."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return permissions.can_schedule(request.user, request.user.district_id)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return permissions.can_manage_meeting(request.user, obj)


class MeetingHeldSerializer(Serializer):
    version = version_field()


class MeetingMinutesSerializer(Serializer):
    minutes_number = serializers.CharField(max_length=60)
    minutes = serializers.CharField()
    minutes_issued_on = serializers.DateField(required=False, help_text=DATE_HELP)
    minutes_file = serializers.FileField(required=False, help_text=FILE_HELP)
    version = version_field()


class ActionItemRowSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner_department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False, default=None
    )
    owner_person = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)
    due_on = serializers.DateField(required=False, allow_null=True)
    due_workdays = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=365
    )
    start_on = serializers.DateField(required=False, allow_null=True)
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False
    )


@extend_schema_field(OpenApiTypes.INT)
class AgendaItemField(serializers.PrimaryKeyRelatedField):
    """An agenda item of the meeting in the URL (``context["record"]``), and no other."""

    def get_queryset(self):
        return AgendaItem.objects.filter(meeting=self.context.get("record"))


class DecisionInputSerializer(Serializer):
    text = serializers.CharField()
    agenda_item = AgendaItemField(allow_null=True, required=False)
    action_items = ActionItemRowSerializer(many=True)


class JointDecisionInputSerializer(Serializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    cases = VisiblePrimaryKeyRelatedField(queryset=ApprovalCase.objects.all(), many=True)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    agenda_item = AgendaItemField(allow_null=True, required=False)
    minutes_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Needed when the meeting has no minutes number yet."),
    )
    action_items = ActionItemRowSerializer(many=True, required=False)


def _decide(service):
    """Run a decision service with the action items' rows; the rows' errors come back in
    DRF's shape for a list: one ``{field: [messages]}`` per row."""

    def run(user, meeting, data, version):
        rows = [
            {k: v for k, v in row.items() if v is not None} for row in data.pop("action_items", [])
        ]
        try:
            return service(user, meeting, action_items=rows, **data)
        except services.ActionItemRowsError as exc:
            errors = [
                {field: [str(m) for m in msgs] for field, msgs in exc.rows[i].message_dict.items()}
                if i in exc.rows
                else {}
                for i in range(len(rows))
            ]
            others = {f: [str(m) for m in msgs] for f, msgs in exc.others.items()}
            others.pop("action_items", None)
            raise exceptions.ValidationError({**others, "action_items": errors}) from exc

    return run


class MeetingViewSet(ScopedModelViewSet):
    """Meetings (联席会议制): the five kinds, chair, date, place, attendance, agenda (projects,
    problems, approval cases), minutes and decisions. Scheduling puts the problems
    escalated to a meeting on the agenda."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    permission_classes = [StaffApiPermission, MeetingPermission]
    ordering_fields = ["id", "held_on", "number"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return (
            super()
            .get_queryset()
            .select_related("chair")
            .prefetch_related(
                Prefetch("departments", queryset=Department.objects.only("id")),
                Prefetch("attendees", queryset=User.objects.only("id")),
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.select_related(
                        "project", "need", "case__project", "case__item"
                    ),
                ),
                Prefetch(
                    "decisions",
                    queryset=Decision.objects.prefetch_related(
                        Prefetch("action_items", queryset=ActionItem.objects.only("id", "decision"))
                    ),
                ),
            )
            .order_by("-held_on", "-id")
        )

    def _respond(self, meeting, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(
            MeetingSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting = services.schedule_meeting(
            request.user,
            district=caller_district(request),
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            chair=data["chair"],
            starts_at=data.get("starts_at"),
            place=data.get("place", ""),
            departments=data.get("departments", ()),
            attendees=data.get("attendees", ()),
            minutes_number=data.get("minutes_number", ""),
            needs=data.get("needs"),
            projects=data.get("projects", ()),
            cases=data.get("cases", ()),
            topics=data.get("topics", ()),
        )
        return self._respond(meeting, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        meeting = self.get_object()
        serializer = self.get_serializer(meeting, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        agenda = {"needs", "projects", "cases", "topics"} & set(data)
        if agenda:
            raise exceptions.ValidationError(
                {
                    name: [gettext_lazy("Add to the agenda with POST …/agenda/.")]
                    for name in sorted(agenda)
                }
            )
        changes = {name: value for name, value in data.items() if name in services.MEETING_FIELDS}
        services.update_meeting(request.user, meeting, changes, version)
        return self._respond(meeting)

    held = api_action(
        MeetingHeldSerializer,
        "The meeting took place (from its day on).",
        action=MEETING_ACTIONS["held"],
    )
    minutes = api_action(
        MeetingMinutesSerializer,
        "印发会议纪要: the minutes, their number and optionally the signed file.",
        action=MEETING_ACTIONS["minutes"],
        parser_classes=UPLOAD_PARSERS,
    )
    agenda = api_action(
        AgendaItemSerializer,
        "Put a project, a problem, an approval case or a topic on the agenda.",
        allowed=permissions.can_manage_meeting,
        run=lambda user, meeting, data, version: services.add_agenda_item(user, meeting, **data),
        created=True,
    )
    decisions = api_action(
        DecisionInputSerializer,
        "Record a decision with the action items it creates (at least one).",
        allowed=permissions.can_manage_meeting,
        run=_decide(services.record_decision),
        created=True,
    )
    joint_decision = api_action(
        JointDecisionInputSerializer,
        "The joint decision (互为前置 → 同时审批、同时办结) as a decision of this meeting.",
        allowed=permissions.can_manage_meeting,
        run=_decide(services.record_joint_decision),
        created=True,
        slug="joint-decision",
    )
