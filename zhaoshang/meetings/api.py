"""REST API of meetings and supervised action items (SPEC §10, §19): ``meetings`` and
``action-items``. Rows are scoped like the pages (``visible_to``); every change goes
through the services; action items carry ``days_left`` and ``light`` computed in SQL."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.actions import service_action
from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.parsers import SafeJSONParser, SafeMultiPartParser
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district, expected_version
from zhaoshang.approvals.api import NullsLastOrderingFilter
from zhaoshang.approvals.choices import Light
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.actions import ACTIONS_BY_SLUG
from zhaoshang.meetings.choices import ActionSource, ActionStatus, MeetingKind, MeetingStatus
from zhaoshang.meetings.models import ActionItem, AgendaItem, Decision, Meeting
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import Project
from zhaoshang.service.models import Need

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing; "
    "required on PUT, optional on PATCH and on the actions."
)
DATE_HELP = gettext_lazy("Defaults to today; cannot be in the future.")
FILE_HELP = gettext_lazy("pdf, jpg, png, docx, xlsx, doc, xls, ofd or zip.")
UPLOAD_PARSERS = [SafeMultiPartParser, FormParser, SafeJSONParser]


def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


def _version_field():
    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


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
        choices=Light.choices,
        read_only=True,
        help_text=gettext_lazy("none once reported done or closed."),
    )
    version = _version_field()

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
    owner_department = filters.ModelChoiceFilter(queryset=_visible(Department))
    project = filters.ModelChoiceFilter(queryset=_visible(Project))
    meeting = filters.ModelChoiceFilter(
        field_name="decision__meeting", queryset=_visible(Meeting), label=gettext_lazy("Meeting")
    )
    light = filters.ChoiceFilter(choices=Light.choices)
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
    version = _version_field()


class ActionItemCompleteSerializer(Serializer):
    text = serializers.CharField(help_text=gettext_lazy("What was done."))
    completed_on = serializers.DateField(required=False, help_text=DATE_HELP)
    evidence = serializers.FileField(
        required=False,
        help_text=gettext_lazy("The evidence of completion (required): ") + FILE_HELP,
    )
    version = _version_field()


class ActionItemCloseSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False, help_text=DATE_HELP)
    version = _version_field()


class ActionItemReturnSerializer(Serializer):
    reason = serializers.CharField()
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("A new due date; the due date stays without it."),
    )
    version = _version_field()


ACTION_SERIALIZERS = {
    "progress": ActionItemProgressSerializer,
    "complete": ActionItemCompleteSerializer,
    "close": ActionItemCloseSerializer,
    "return": ActionItemReturnSerializer,
}
ACTION_RESPONSES = {
    200: ActionItemSerializer,
    400: OpenApiResponse(description="{field: [messages]}"),
    403: OpenApiResponse(description="Not yours to act on."),
    409: OpenApiResponse(description="Stale version: someone else acted on the item."),
}


def _item_action(name: str, slug: str, doc: str):
    return service_action(
        name,
        slug,
        doc,
        serializers=ACTION_SERIALIZERS,
        actions=ACTIONS_BY_SLUG,
        responses=ACTION_RESPONSES,
        parser_classes=UPLOAD_PARSERS,
    )


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

    progress = _item_action("progress", "progress", "办理进展: the owner reports progress.")
    complete = _item_action(
        "complete",
        "complete",
        "办结: the owner reports the item done, with the evidence (multipart ``evidence``).",
    )
    close = _item_action("close", "close", "销号: the supervision office confirms and closes.")
    return_ = _item_action(
        "return_",
        "return",
        "退回重办: the supervision office sends the item back, with the reason.",
    )


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
    version = _version_field()

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
        queryset=_visible(Project),
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
    version = _version_field()


class MeetingMinutesSerializer(Serializer):
    minutes_number = serializers.CharField(max_length=60)
    minutes = serializers.CharField()
    minutes_issued_on = serializers.DateField(required=False, help_text=DATE_HELP)
    minutes_file = serializers.FileField(required=False, help_text=FILE_HELP)
    version = _version_field()


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
    """An agenda item of the meeting in the URL (``context["meeting"]``), and no other."""

    def get_queryset(self):
        return AgendaItem.objects.filter(meeting=self.context.get("meeting"))


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


def _rows(data) -> list[dict]:
    return [{k: v for k, v in row.items() if v is not None} for row in data.get("action_items", [])]


def _rows_error(exc: services.ActionItemRowsError, count: int):
    """Row errors in DRF's shape for a list: one ``{field: [messages]}`` per row."""
    rows = []
    for index in range(count):
        error = exc.rows.get(index)
        rows.append(
            {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
            if error is not None
            else {}
        )
    return exceptions.ValidationError({"action_items": rows})


MEETING_ACTION_RESPONSES = {
    400: OpenApiResponse(description="{field: [messages]}"),
    403: OpenApiResponse(description="Not an organiser of this meeting."),
    409: OpenApiResponse(description="Stale version: someone else changed the meeting."),
}


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

    def _managed(self):
        meeting = self.get_object()
        if not permissions.can_manage_meeting(self.request.user, meeting):
            raise PermissionDenied
        return meeting

    @extend_schema(
        request=MeetingHeldSerializer,
        responses={200: MeetingSerializer, **MEETING_ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=MeetingHeldSerializer)
    def held(self, request, pk=None):
        """The meeting took place (from its day on)."""
        meeting = self._managed()
        form = MeetingHeldSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.mark_held(request.user, meeting, form.validated_data.get("version"))
        return self._respond(meeting)

    @extend_schema(
        request={
            "multipart/form-data": MeetingMinutesSerializer,
            "application/json": MeetingMinutesSerializer,
        },
        responses={200: MeetingSerializer, **MEETING_ACTION_RESPONSES},
    )
    @action(
        detail=True,
        methods=["post"],
        serializer_class=MeetingMinutesSerializer,
        parser_classes=UPLOAD_PARSERS,
    )
    def minutes(self, request, pk=None):
        """印发会议纪要: the minutes, their number and optionally the signed file."""
        meeting = self._managed()
        form = MeetingMinutesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.issue_minutes(
            request.user,
            meeting,
            minutes=data["minutes"],
            minutes_number=data["minutes_number"],
            issued_on=data.get("minutes_issued_on"),
            minutes_file=data.get("minutes_file"),
            expected_version=data.get("version"),
        )
        return self._respond(meeting)

    @extend_schema(
        request=AgendaItemSerializer,
        responses={201: MeetingSerializer, **MEETING_ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=AgendaItemSerializer)
    def agenda(self, request, pk=None):
        """Put a project, a problem, an approval case or a topic on the agenda."""
        meeting = self._managed()
        form = AgendaItemSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.add_agenda_item(
            request.user,
            meeting,
            project=data.get("project"),
            need=data.get("need"),
            case=data.get("case"),
            topic=data.get("topic", ""),
            note=data.get("note", ""),
        )
        return self._respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        request=DecisionInputSerializer,
        responses={201: MeetingSerializer, **MEETING_ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=DecisionInputSerializer)
    def decisions(self, request, pk=None):
        """Record a decision with the action items it creates (at least one)."""
        meeting = self._managed()
        form = DecisionInputSerializer(
            data=request.data, context={**self.get_serializer_context(), "meeting": meeting}
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        rows = _rows(data)
        try:
            services.record_decision(
                request.user,
                meeting,
                text=data["text"],
                agenda_item=data.get("agenda_item"),
                action_items=rows,
            )
        except services.ActionItemRowsError as exc:
            raise _rows_error(exc, len(rows)) from exc
        return self._respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        request=JointDecisionInputSerializer,
        responses={201: MeetingSerializer, **MEETING_ACTION_RESPONSES},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="joint-decision",
        url_name="joint-decision",
        serializer_class=JointDecisionInputSerializer,
    )
    def joint_decision(self, request, pk=None):
        """The joint decision (互为前置 → 同时审批、同时办结) as a decision of this meeting."""
        meeting = self._managed()
        form = JointDecisionInputSerializer(
            data=request.data, context={**self.get_serializer_context(), "meeting": meeting}
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        rows = _rows(data)
        try:
            services.record_joint_decision(
                request.user,
                meeting,
                project=data["project"],
                cases=data["cases"],
                text=data["text"],
                agenda_item=data.get("agenda_item"),
                minutes_number=data["minutes_number"],
                action_items=rows,
            )
        except services.ActionItemRowsError as exc:
            raise _rows_error(exc, len(rows)) from exc
        return self._respond(meeting, status.HTTP_201_CREATED)
