"""REST API of agreements (SPEC §8, §19): ``agreements`` (with their terms and investment
schedule), ``obligations`` (status derived in SQL; confirm and waive), ``commitments``
(with their reverse schedules; progress, moving a milestone, filing to the archive) and
the read-only ``archive-versions``. Scoped like the pages (``visible_to``); every change
goes through ``agreements.services``."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import (
    Light,
    ObligationKind,
    ObligationStatus,
    Party,
    Term,
)
from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    Commitment,
    Milestone,
    Obligation,
    ObligationBreach,
    ScheduleTemplate,
)
from zhaoshang.agreements.schedule import Step
from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ResourceSchema, ScopedModelViewSet, expected_version
from zhaoshang.core import clock, roles
from zhaoshang.core.roles import REGISTRY_EDITOR_ROLES, Role
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import Project

VERSION_HELP = gettext_lazy(
    "The version of the record you read; a stale version is refused with 409 and changes nothing."
)


def _today():
    return clock.today()


def _version_field(required: bool = False):
    return serializers.IntegerField(min_value=1, required=required, help_text=VERSION_HELP)


class CreatePermission(BasePermission):
    """Who may create at all (the services check the project and the department again)."""

    creators: tuple = ()

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return roles.has_role(request.user, *self.creators)


class AgreementCreatePermission(CreatePermission):
    creators = tuple(REGISTRY_EDITOR_ROLES)


class CommitmentCreatePermission(CreatePermission):
    creators = (*REGISTRY_EDITOR_ROLES, Role.DEPARTMENT)


# ---------------------------------------------------------------------------------------
# agreements


class TermsSerializer(Serializer):
    start_by = serializers.DateField(allow_null=True, required=False)
    completion_by = serializers.DateField(allow_null=True, required=False)
    production_by = serializers.DateField(allow_null=True, required=False)
    intensity = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False
    )
    intensity_by = serializers.DateField(allow_null=True, required=False)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, required=False)
    tax_by = serializers.DateField(allow_null=True, required=False)
    jobs = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    jobs_by = serializers.DateField(allow_null=True, required=False)
    output = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False
    )
    output_by = serializers.DateField(allow_null=True, required=False)
    energy = serializers.CharField(
        max_length=200, allow_null=True, allow_blank=True, required=False
    )
    energy_by = serializers.DateField(allow_null=True, required=False)


class ScheduleRowSerializer(Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("Cumulative funds in place due by the date (10k yuan)."),
    )


class AgreementSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_name = serializers.CharField(source="project.name", read_only=True)
    terms = TermsSerializer(
        required=False,
        help_text=gettext_lazy("The terms; each filled term is an obligation of the enterprise."),
    )
    schedule = ScheduleRowSerializer(many=True, required=False)
    is_performing = serializers.BooleanField(read_only=True)
    obligations_total = serializers.IntegerField(read_only=True)
    obligations_missed = serializers.IntegerField(read_only=True)
    obligations_met_on_time = serializers.IntegerField(read_only=True)
    obligations_decided = serializers.IntegerField(read_only=True)
    on_time_share = serializers.FloatField(read_only=True, allow_null=True)
    version = _version_field()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "district",
            "project",
            "project_name",
            "number",
            "signed_on",
            "government_party",
            "enterprise_party",
            "other_parties",
            "contracted_investment",
            "land_area",
            "service_clauses",
            "document",
            "terms",
            "schedule",
            "is_performing",
            "obligations_total",
            "obligations_missed",
            "obligations_met_on_time",
            "obligations_decided",
            "on_time_share",
            "version",
        ]
        read_only_fields = ["district", "document"]
        validators = []  # the number's uniqueness is the service's, with its message

    def to_representation(self, instance):
        data = super().to_representation(instance)
        values = services.term_values(instance)
        data["terms"] = TermsSerializer(values["terms"]).data
        data["schedule"] = ScheduleRowSerializer(
            [{"due_on": d, "amount": a} for d, a in values["schedule"]], many=True
        ).data
        return data


class AgreementFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(
        queryset=lambda request: Project.objects.visible_to(getattr(request, "user", None))
    )

    class Meta:
        model = Agreement
        fields = ["project"]


class AgreementViewSet(ScopedModelViewSet):
    """Investment agreements (投资协议) with their terms and investment schedule and the
    project's 履约 figures, computed in SQL."""

    model = Agreement
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    permission_classes = [StaffApiPermission, AgreementCreatePermission]
    ordering_fields = ["id", "signed_on", "number"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return (
            super()
            .get_queryset()
            .with_performance(_today())
            .select_related("project")
            .prefetch_related(Prefetch("obligations", Obligation.objects.order_by("due_on", "id")))
            .order_by("-signed_on", "-id")
        )

    def _save(self, serializer, instance=None, version=None):
        data = dict(serializer.validated_data)
        project = data.pop("project", None) or instance.project
        if instance is not None and project.pk != instance.project_id:
            raise DRFValidationError({"project": [_("An agreement stays with its project.")]})
        current = services.term_values(instance)
        terms = dict(current["terms"])
        terms.update(data.pop("terms", {}) or {})
        if terms.get("energy") == "":
            terms["energy"] = None
        schedule_rows = data.pop("schedule", None)
        schedule = (
            [(r["due_on"], r["amount"]) for r in schedule_rows]
            if schedule_rows is not None
            else current["schedule"]
        )
        fields = {n: data[n] for n in services.AGREEMENT_FIELDS if n in data}
        if instance is not None:
            for name in services.AGREEMENT_FIELDS:
                fields.setdefault(name, getattr(instance, name))
        return services.save_agreement(
            self.request.user,
            project,
            fields=fields,
            terms=terms,
            schedule=schedule,
            agreement=instance,
            expected_version=version,
        )

    def _respond(self, agreement, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=agreement.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data.pop("version", None)
        return self._respond(self._save(serializer), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        version = expected_version(serializer, serializer.validated_data)
        return self._respond(self._save(serializer, instance, version))

    def perform_destroy(self, instance):
        services.delete_agreement(self.request.user, instance)


# ---------------------------------------------------------------------------------------
# obligations


class ObligationSerializer(ModelSerializer):
    agreement = VisiblePrimaryKeyRelatedField(queryset=Agreement.objects.all())
    department = VisiblePrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    project = serializers.IntegerField(source="agreement.project_id", read_only=True)
    description = serializers.CharField(read_only=True)
    met_on = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=ObligationStatus.choices, read_only=True)
    light = serializers.ChoiceField(choices=Light.choices, read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    current_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )
    has_breach = serializers.BooleanField(read_only=True)
    evidence = serializers.SerializerMethodField()
    version = _version_field()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "district",
            "agreement",
            "project",
            "term",
            "party",
            "department",
            "kind",
            "title",
            "description",
            "target_amount",
            "target_stage",
            "target_text",
            "due_on",
            "met_on",
            "status",
            "light",
            "days_left",
            "current_value",
            "confirmed_on",
            "confirmation_note",
            "evidence",
            "waived_on",
            "waiver_reason",
            "has_breach",
            "version",
        ]
        read_only_fields = [
            "district",
            "term",
            "confirmed_on",
            "confirmation_note",
            "waived_on",
            "waiver_reason",
        ]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}

    def get_evidence(self, obj) -> str | None:
        """Where the status comes from: the evidence file, or the record it rests on."""
        if obj.evidence:
            return reverse("agreements:obligation_evidence", args=[obj.pk])
        ref = getattr(obj, "evidence_ref", None)
        if ref is None:
            return None
        project = obj.agreement.project_id
        if obj.kind == ObligationKind.STAGE:
            return reverse("projects:timeline", args=[project])
        if obj.kind == ObligationKind.INVESTMENT:
            return reverse("projects:progress", args=[project])
        if obj.kind == ObligationKind.SERVICE:
            return reverse("agreements:commitment", args=[ref])
        return None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.kind == ObligationKind.FUNDS and instance.met_on:
            data["evidence"] = reverse("projects:funds", args=[instance.agreement.project_id])
        return data


class ObligationFilter(filters.FilterSet):
    agreement = filters.ModelChoiceFilter(
        queryset=lambda request: Agreement.objects.visible_to(getattr(request, "user", None))
    )
    project = filters.ModelChoiceFilter(
        field_name="agreement__project",
        queryset=lambda request: Project.objects.visible_to(getattr(request, "user", None)),
    )
    department = filters.ModelChoiceFilter(
        queryset=lambda request: Department.objects.visible_to(getattr(request, "user", None))
    )
    party = filters.ChoiceFilter(choices=Party.choices)
    kind = filters.ChoiceFilter(choices=ObligationKind.choices)
    term = filters.ChoiceFilter(choices=Term.choices)
    status = filters.ChoiceFilter(choices=ObligationStatus.choices, method="by_status")
    light = filters.ChoiceFilter(choices=Light.choices, method="by_light")

    class Meta:
        model = Obligation
        fields = ["agreement", "project", "department", "party", "kind", "term"]

    def by_status(self, queryset, name, value):
        return queryset.filter(status=value)

    def by_light(self, queryset, name, value):
        return queryset.filter(light=value)


class ConfirmSerializer(Serializer):
    met_on = serializers.DateField()
    evidence = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = _version_field()


class WaiveSerializer(Serializer):
    reason = serializers.CharField()
    waived_on = serializers.DateField(default=_today)
    version = _version_field()


OBLIGATION_RESPONSES = {
    400: OpenApiResponse(description="{field: [messages]}"),
    403: OpenApiResponse(description="Not yours to act on."),
    409: OpenApiResponse(description="Stale version."),
}


class ObligationViewSet(ScopedModelViewSet):
    """Obligations of the agreements (履约义务), of the enterprise or of a department, with
    the status derived from the project's records (``status``, ``met_on``, ``light``).
    The standard terms change with their agreement; further obligations are created here."""

    model = Obligation
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter
    permission_classes = [StaffApiPermission, AgreementCreatePermission]
    ordering_fields = ["id", "due_on", "days_left"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Obligation.objects.none()
        return (
            super()
            .get_queryset()
            .with_status(_today())
            .annotate(has_breach=Exists(ObligationBreach.objects.filter(obligation=OuterRef("pk"))))
            .select_related("agreement__project", "department")
            .order_by("due_on", "id")
        )

    def _fields(self, data) -> dict:
        return {n: data[n] for n in services.OBLIGATION_FIELDS if n in data}

    def _respond(self, ob, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=ob.pk)
        return Response(
            ObligationSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agreement = data.pop("agreement")
        ob = services.add_obligation(request.user, agreement, **self._fields(data))
        return self._respond(ob, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(serializer, data)
        if "agreement" in data and data["agreement"].pk != instance.agreement_id:
            raise DRFValidationError({"agreement": [_("An obligation stays with its agreement.")]})
        data.pop("agreement", None)
        ob = services.update_obligation(request.user, instance, version, **self._fields(data))
        return self._respond(ob)

    def perform_destroy(self, instance):
        services.delete_obligation(self.request.user, instance)

    @extend_schema(
        request={"multipart/form-data": ConfirmSerializer},
        responses={200: ObligationSerializer, **OBLIGATION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=ConfirmSerializer)
    def confirm(self, request, pk=None):
        """Confirm, with an evidence file, the day an obligation no record measures was met."""
        ob = self.get_object()
        form = ConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.confirm_obligation(
            request.user,
            ob,
            met_on=data["met_on"],
            evidence=data["evidence"],
            note=data["note"],
            expected_version=data.get("version"),
        )
        return self._respond(ob)

    @extend_schema(
        request=WaiveSerializer, responses={200: ObligationSerializer, **OBLIGATION_RESPONSES}
    )
    @action(detail=True, methods=["post"], serializer_class=WaiveSerializer)
    def waive(self, request, pk=None):
        """Release an obligation, with the reason kept."""
        ob = self.get_object()
        form = WaiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.waive_obligation(
            request.user,
            ob,
            reason=data["reason"],
            waived_on=data["waived_on"],
            expected_version=data.get("version"),
        )
        return self._respond(ob)


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
    light = serializers.ChoiceField(choices=Light.choices, read_only=True)
    progress = serializers.FloatField(read_only=True)
    milestones_total = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    milestones_missed = serializers.IntegerField(read_only=True)
    version = _version_field()

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
    light = filters.ChoiceFilter(choices=Light.choices, method="by_light")

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
    version = _version_field()


class RescheduleSerializer(Serializer):
    milestone = serializers.IntegerField()
    due_on = serializers.DateField()
    reason = serializers.CharField()
    version = _version_field()


class FileSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    version = _version_field()


class ArchiveVersionSerializer(ModelSerializer):
    class Meta:
        model = ArchiveVersion
        fields = [
            "id",
            "district",
            "commitment",
            "number",
            "park",
            "committee",
            "filed_by",
            "filed_at",
            "note",
            "content",
            "content_sha256",
        ]
        read_only_fields = fields


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
            .with_progress(_today())
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

    def _milestone(self, commitment, pk) -> Milestone:
        milestone = commitment.milestones.filter(pk=pk).select_related("commitment").first()
        if milestone is None:
            raise DRFValidationError({"milestone": [_("No such milestone in this schedule.")]})
        milestone.commitment = commitment
        return milestone

    @extend_schema(
        request=ProgressSerializer, responses={200: CommitmentSerializer, **OBLIGATION_RESPONSES}
    )
    @action(detail=True, methods=["post"], serializer_class=ProgressSerializer)
    def progress(self, request, pk=None):
        """Report a milestone's progress, or that it is done (``done_on``)."""
        commitment = self.get_object()
        form = ProgressSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.report_progress(
            request.user,
            self._milestone(commitment, data["milestone"]),
            progress=data.get("progress"),
            done_on=data.get("done_on"),
            note=data["note"],
            expected_version=data.get("version"),
        )
        return self._respond(commitment)

    @extend_schema(
        request=RescheduleSerializer, responses={200: CommitmentSerializer, **OBLIGATION_RESPONSES}
    )
    @action(detail=True, methods=["post"], serializer_class=RescheduleSerializer)
    def reschedule(self, request, pk=None):
        """Move one milestone's due date (never past the target date), with the reason."""
        commitment = self.get_object()
        form = RescheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.reschedule_milestone(
            request.user,
            self._milestone(commitment, data["milestone"]),
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return self._respond(commitment)

    @extend_schema(
        request=FileSerializer, responses={201: ArchiveVersionSerializer, **OBLIGATION_RESPONSES}
    )
    @action(detail=True, methods=["post"], url_path="file", serializer_class=FileSerializer)
    def file(self, request, pk=None):
        """File the commitment and its schedule to the park committee's archive (存档)."""
        commitment = self.get_object()
        form = FileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = services.file_commitment(
            request.user,
            commitment,
            note=form.validated_data["note"],
            expected_version=form.validated_data.get("version"),
        )
        return Response(ArchiveVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class ArchiveVersionFilter(filters.FilterSet):
    commitment = filters.ModelChoiceFilter(
        queryset=lambda request: Commitment.objects.visible_to(getattr(request, "user", None))
    )

    class Meta:
        model = ArchiveVersion
        fields = ["commitment"]


class ArchiveVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Versions filed to the park committee's archive: read-only, never changed (no
    update or delete route exists)."""

    serializer_class = ArchiveVersionSerializer
    filterset_class = ArchiveVersionFilter
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ArchiveVersion.objects.none()
        return ArchiveVersion.objects.visible_to(self.request.user).order_by("-filed_at", "-id")
