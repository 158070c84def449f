"""``commitments``: service commitments with their reverse schedules; progress, moving
a milestone, filing to the archive."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from zhaoshang.agreements import services
from zhaoshang.agreements.actions import CHANGE_ACTIONS
from zhaoshang.agreements.api.archive import ArchiveVersionSerializer
from zhaoshang.agreements.api.common import (
    CommitmentCreatePermission,
    version_field,
)
from zhaoshang.agreements.models import (
    ChangeRequest,
    Commitment,
    Milestone,
    MilestoneMove,
    Obligation,
    ScheduleTemplate,
)
from zhaoshang.agreements.schedule import Step
from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, expected_version
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import Project

# ---------------------------------------------------------------------------------------
# commitments


class MilestoneSerializer(ModelSerializer):
    owner_department_name = serializers.CharField(source="owner_department.name", read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "seq",
            "name",
            "duration_workdays",
            "planned_start_on",
            "due_on",
            "due_is_provisional",
            "owner_department",
            "owner_department_name",
            "owner",
            "progress",
            "done_on",
            "note",
            "version",
        ]
        read_only_fields = fields


class StepSerializer(Serializer):
    milestone = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("On a change: the id of the milestone this step keeps."),
    )
    name = serializers.CharField(max_length=120)
    duration = serializers.IntegerField(min_value=1, max_value=999)
    owner_department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    owner = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)


class CommitmentSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    obligation = VisiblePrimaryKeyRelatedField(
        queryset=Obligation.objects.all(), allow_null=True, required=False
    )
    owner = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)
    template = VisiblePrimaryKeyRelatedField(
        queryset=ScheduleTemplate.objects.all(), allow_null=True, required=False
    )
    steps = StepSerializer(
        many=True,
        required=False,
        write_only=True,
        help_text=gettext_lazy(
            "The steps in order with their working days, planned backwards from target_on; "
            "without steps on creation, the template's."
        ),
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    progress = serializers.FloatField(read_only=True)
    milestones_total = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    milestones_missed = serializers.IntegerField(read_only=True)
    version = version_field()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "district",
            "project",
            "department",
            "department_name",
            "obligation",
            "title",
            "content",
            "clause",
            "owner",
            "template",
            "start_on",
            "target_on",
            "completed_on",
            "filed_version",
            "changed_since_filing",
            "light",
            "progress",
            "milestones_total",
            "milestones_done",
            "milestones_missed",
            "milestones",
            "steps",
            "version",
        ]
        read_only_fields = ["district", "completed_on", "filed_version", "changed_since_filing"]
        extra_kwargs = {"start_on": {"required": False}}


class CommitmentFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(
        queryset=lambda request: Project.objects.visible_to(getattr(request, "user", None))
    )
    department = filters.ModelChoiceFilter(
        queryset=lambda request: Department.objects.visible_to(getattr(request, "user", None))
    )
    light = filters.ChoiceFilter(choices=DEADLINE_LIGHTS, method="by_light")

    class Meta:
        model = Commitment
        fields = ["project", "department"]

    def by_light(self, queryset, name, value):
        return queryset.filter(light=value)


class ProgressSerializer(Serializer):
    milestone = serializers.IntegerField()
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    done_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    version = version_field()


class RescheduleSerializer(Serializer):
    milestone = serializers.IntegerField()
    due_on = serializers.DateField()
    reason = serializers.CharField()
    version = version_field()


class FileSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    version = version_field()


class MoveSerializer(ModelSerializer):
    name = serializers.CharField(source="milestone.name", read_only=True)

    class Meta:
        model = MilestoneMove
        fields = ["milestone", "name", "old_due_on", "new_due_on"]
        read_only_fields = fields


class ChangeRequestSerializer(ModelSerializer):
    """A change request of a filed commitment: who asked, the milestones it moves (their
    due dates as filed and the new ones), the target date, the reason and the decision."""

    moves = MoveSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "commitment",
            "status",
            "reason",
            "filed_version",
            "old_target_on",
            "new_target_on",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "archive_version",
            "moves",
            "version",
        ]
        read_only_fields = fields


class MoveInputSerializer(Serializer):
    milestone = serializers.IntegerField()
    due_on = serializers.DateField()


class RequestChangeSerializer(Serializer):
    moves = MoveInputSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("The milestones that move, each with its new due date."),
    )
    target_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The new target date, only if it moves."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = version_field()


class ChangeDecisionSerializer(Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("The reason of the decision (required to refuse)."),
    )
    version = version_field()


def _change(commitment, change_pk) -> ChangeRequest:
    """The change request ``change_pk`` of the commitment (404 otherwise)."""
    change = (
        ChangeRequest.objects.filter(commitment=commitment, pk=change_pk)
        .select_related("requested_by")
        .first()
    )
    if change is None:
        raise NotFound
    change.commitment = commitment
    return change


def _milestone(commitment, pk) -> Milestone:
    """The milestone ``pk`` of the commitment's schedule (400 naming ``milestone``)."""
    milestone = commitment.milestones.filter(pk=pk).select_related("commitment").first()
    if milestone is None:
        raise DRFValidationError({"milestone": [_("No such milestone in this schedule.")]})
    milestone.commitment = commitment
    return milestone


class CommitmentViewSet(ScopedModelViewSet):
    """Departments' service commitments (服务承诺) with their reverse schedules (倒排工期),
    planned backwards from the target date in working days, and filed to the park
    committee's archive."""

    model = Commitment
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    permission_classes = [StaffApiPermission, CommitmentCreatePermission]
    ordering_fields = ["id", "target_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Commitment.objects.none()
        return (
            super()
            .get_queryset()
            .with_progress(clock.today())
            .select_related("department")
            .prefetch_related(
                Prefetch(
                    "milestones",
                    Milestone.objects.select_related("owner_department").order_by("seq", "id"),
                )
            )
            .order_by("target_on", "id")
        )

    def _respond(self, commitment, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=commitment.pk)
        return Response(
            CommitmentSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @staticmethod
    def _steps(rows) -> list[tuple[int | None, Step]]:
        return [
            (
                r.get("milestone"),
                Step(r["name"], r["duration"], r.get("owner_department"), r.get("owner")),
            )
            for r in rows
        ]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        template = data.pop("template", None)
        rows = data.pop("steps", None)
        if rows:
            steps = [step for _pk, step in self._steps(rows)]
        elif template is not None:
            steps = services.steps_from_template(template)
        else:
            raise DRFValidationError(
                {"steps": [_("Give the steps of the schedule, or a template to take them from.")]}
            )
        fields = {n: data[n] for n in services.COMMITMENT_FIELDS if n in data}
        commitment = services.create_commitment(
            request.user,
            data["project"],
            department=data["department"],
            steps=steps,
            template=template,
            **fields,
        )
        return self._respond(commitment, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        for name, message in (
            ("project", _("A commitment stays with its project.")),
            ("department", _("A commitment stays with its department.")),
        ):
            if name in data and data[name].pk != getattr(instance, f"{name}_id"):
                raise DRFValidationError({name: [message]})
        rows = data.pop("steps", None)
        if rows is None:
            steps = [
                (m.pk, Step(m.name, m.duration_workdays, m.owner_department, m.owner))
                for m in instance.milestones.select_related("owner_department", "owner")
            ]
        else:
            steps = self._steps(rows)
        fields = {n: data[n] for n in services.COMMITMENT_FIELDS if n in data}
        commitment = services.replan_commitment(
            request.user, instance, steps=steps, expected_version=version, **fields
        )
        return self._respond(commitment)

    def perform_destroy(self, instance):
        services.delete_commitment(self.request.user, instance)

    progress = api_action(
        ProgressSerializer,
        "Report a milestone's progress, or that it is done (``done_on``).",
        run=lambda user, commitment, data, version: services.report_progress(
            user,
            _milestone(commitment, data["milestone"]),
            progress=data.get("progress"),
            done_on=data.get("done_on"),
            note=data["note"],
            expected_version=version,
        ),
    )
    reschedule = api_action(
        RescheduleSerializer,
        "Move one milestone's due date (never past the target date), with the reason.",
        run=lambda user, commitment, data, version: services.reschedule_milestone(
            user,
            _milestone(commitment, data["milestone"]),
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=version,
        ),
    )
    file = api_action(
        FileSerializer,
        "File the commitment and its schedule to the park committee's archive (存档).",
        run=lambda user, commitment, data, version: services.file_commitment(
            user, commitment, note=data["note"], expected_version=version
        ),
        created=True,
        reply=ArchiveVersionSerializer,
    )
    request_change = api_action(
        RequestChangeSerializer,
        "Ask to move milestones of a commitment filed with the park committee (and its "
        "target date), with the reason; the park committee or the supervision office decides.",
        run=lambda user, commitment, data, version: services.request_change(
            user,
            commitment,
            moves=[
                (_milestone(commitment, r["milestone"]), r["due_on"]) for r in data.get("moves", [])
            ],
            target_on=data.get("target_on"),
            reason=data["reason"],
            expected_version=version,
        ),
        slug="request-change",
        created=True,
        reply=ChangeRequestSerializer,
    )
    approve_change = api_action(
        ChangeDecisionSerializer,
        "Approve a change request: the milestones move and the plan is filed as a new version.",
        action=CHANGE_ACTIONS["approve"],
        target=lambda commitment, change_pk: _change(commitment, change_pk),
        url_path=r"changes/(?P<change_pk>[0-9]+)/approve",
        url_name="change-approve",
    )
    refuse_change = api_action(
        ChangeDecisionSerializer,
        "Refuse a change request, with the reason: the filed plan stays.",
        action=CHANGE_ACTIONS["refuse"],
        target=lambda commitment, change_pk: _change(commitment, change_pk),
        url_path=r"changes/(?P<change_pk>[0-9]+)/refuse",
        url_name="change-refuse",
    )
