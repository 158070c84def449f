"""REST API for approvals (SPEC §6, §19): the catalogue (``approval-items``) and the
cases (``approval-cases``) with their actions. Every change goes through the services;
cases are scoped like the pages (``visible_to``) and carry ``days_left`` computed in SQL."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhaoshang.api.fields import VisiblePrimaryKeyRelatedField
from zhaoshang.api.permissions import ReferenceDataPermission, StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.api.viewsets import ScopedModelViewSet, caller_district
from zhaoshang.approvals import services
from zhaoshang.approvals.actions import ACTIONS
from zhaoshang.approvals.choices import (
    OPEN_STATUSES,
    CaseStatus,
    ItemLevel,
    LimitUnit,
    Party,
    PauseKind,
    Phase,
)
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core import clock, roles
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS

# Other apps' APIs import it from here still; its home is core.
from zhaoshang.core.ordering import NullsLastOrderingFilter
from zhaoshang.core.roles import Role
from zhaoshang.org.api import ReferenceSerializer
from zhaoshang.org.models import Department, User
from zhaoshang.projects.api import StaffUserField
from zhaoshang.projects.models import MaterialType, Project

VERSION_HELP = gettext_lazy(
    "The version of the case you read. A stale version is refused with 409 and changes "
    "nothing; without it the action applies to the case as it is now."
)
DATE_HELP = gettext_lazy("Defaults to today; cannot be in the future.")
PAUSED = "paused"
# The lights a case shows (it has no settled states: a done case shows none).


# ---------------------------------------------------------------------------------------
# approval-items: the catalogue


class ApprovalItemSerializer(ReferenceSerializer):
    department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    prerequisites = VisiblePrimaryKeyRelatedField(
        queryset=ApprovalItem.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy(
            "Ids of the items that must be done first; a cycle is refused with 400 naming it."
        ),
    )
    materials = serializers.SlugRelatedField(
        slug_field="code",
        queryset=MaterialType.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy("Codes of the required material types."),
    )
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ApprovalItem
        fields = [
            "id",
            "district",
            "code",
            "name",
            "department",
            "department_name",
            "level",
            "phase",
            "time_limit",
            "time_limit_unit",
            "special_time_limit",
            "statutory_limit",
            "statutory_limit_unit",
            "special_procedure",
            "prerequisites",
            "materials",
            "legal_basis",
            "in_green_channel",
            "is_active",
            "sort_order",
        ]
        read_only_fields = ["district"]
        extra_kwargs = {
            "time_limit": {"min_value": 1, "max_value": 365},
            "special_time_limit": {"min_value": 1, "max_value": 365},
            "statutory_limit": {"min_value": 1, "max_value": 365},
        }

    # Items change through the services (permission, cycle check, audit event), like the
    # catalogue page.
    def create(self, validated_data):
        district = validated_data.pop("district")
        return services.create_item(self.context["request"].user, district, **validated_data)

    def update(self, instance, validated_data):
        return services.update_item(self.context["request"].user, instance, **validated_data)


class ApprovalItemFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label=gettext_lazy("Search"))
    department = filters.ModelChoiceFilter(
        queryset=lambda request: Department.objects.visible_to(getattr(request, "user", None))
    )
    phase = filters.ChoiceFilter(choices=Phase.choices)
    level = filters.ChoiceFilter(choices=ItemLevel.choices)
    time_limit_unit = filters.ChoiceFilter(choices=LimitUnit.choices)

    class Meta:
        model = ApprovalItem
        fields = [
            "department",
            "phase",
            "level",
            "time_limit_unit",
            "in_green_channel",
            "is_active",
        ]

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class ApprovalItemViewSet(ScopedModelViewSet):
    """The district's approval item catalogue (审批事项目录). Everybody on the staff side
    reads it; the district's administrator writes it."""

    model = ApprovalItem
    serializer_class = ApprovalItemSerializer
    filterset_class = ApprovalItemFilter
    permission_classes = [StaffApiPermission, ReferenceDataPermission]
    ordering_fields = ["id", "code", "name", "sort_order", "time_limit"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("department")
            .prefetch_related(
                Prefetch("prerequisites", queryset=ApprovalItem.objects.only("id")),
                Prefetch("materials", queryset=MaterialType.objects.only("id", "code")),
            )
            .order_by("sort_order", "id")
        )

    def perform_create(self, serializer):
        user = self.request.user
        department = serializer.validated_data["department"]
        district = caller_district(self.request) if user.district_id else department.district
        serializer.save(district=district)

    def perform_destroy(self, instance):
        # Refused with 400 while cases refer to the item (PROTECT).
        with transaction.atomic():
            instance.delete()


# ---------------------------------------------------------------------------------------
# approval-cases


class ApprovalCaseSerializer(ModelSerializer):
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    item = VisiblePrimaryKeyRelatedField(queryset=ApprovalItem.objects.all())
    agent = StaffUserField(queryset=User.objects.all(), allow_null=True, required=False)
    project_name = serializers.CharField(source="project.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    days_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Working days to the due date: 0 on it, negative once it has passed; null "
            "before the materials are complete."
        ),
    )
    late_party = serializers.ChoiceField(
        choices=Party.choices,
        allow_blank=True,
        read_only=True,
        help_text=gettext_lazy(
            "Who answers for a case done late (empty when it was not): the department "
            "holding it, the department of a prerequisite it waited for, the service center, "
            "the higher authority or the enterprise; late_department is the department."
        ),
    )
    light = serializers.ChoiceField(
        choices=DEADLINE_LIGHTS,
        read_only=True,
        help_text=gettext_lazy("none for closed, paused and not yet started cases."),
    )

    class Meta:
        model = ApprovalCase
        fields = [
            "id",
            "district",
            "project",
            "project_name",
            "item",
            "item_name",
            "department",
            "department_name",
            "status",
            "agent",
            "handler",
            "registered_on",
            "materials_complete_on",
            "accepted_on",
            "time_limit",
            "time_limit_unit",
            "due_on",
            "due_is_provisional",
            "days_left",
            "light",
            "paused",
            "extended",
            "extension_reason",
            "extension_approver",
            "extended_on",
            "pledge_materials",
            "pledge_due_on",
            "pledge_fulfilled_on",
            "reported_on",
            "reported_to",
            "higher_answer",
            "done_on",
            "returned_on",
            "return_reason",
            "joint_decision",
            "applied_on",
            "late_party",
            "late_department",
            "version",
        ]
        read_only_fields = [
            f
            for f in fields
            if f not in ("project", "item", "agent", "applied_on", "days_left", "light")
        ]
        # One case per project and item: the service says so, on the item.
        validators = []


class ApprovalCaseDetailSerializer(ApprovalCaseSerializer):
    """One case, with its working days by party (``services.attribution``)."""

    days_held = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The case's days by party: [{party, department, department_name, note, days}]; "
            "party is department (the holder), prerequisite (another department's "
            "prerequisite it waited for), service_center (registration), higher (after 上报), "
            "enterprise (a prerequisite not applied for) or paused."
        )
    )

    class Meta(ApprovalCaseSerializer.Meta):
        fields = [*ApprovalCaseSerializer.Meta.fields, "days_held"]
        read_only_fields = [*ApprovalCaseSerializer.Meta.read_only_fields, "days_held"]

    def get_days_held(self, case) -> list[dict]:
        return services.attribute(case, clock.today()).as_json()


def _version_field():
    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


def _date_field():
    return serializers.DateField(default=clock.today, help_text=DATE_HELP)


class CaseActionSerializer(Serializer):
    version = _version_field()


class MaterialsCompleteSerializer(CaseActionSerializer):
    materials_complete_on = _date_field()


class AcceptSerializer(CaseActionSerializer):
    accepted_on = _date_field()
    pledge_materials = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("容缺受理: the minor materials still missing, on a written pledge."),
    )
    pledge_due_on = serializers.DateField(required=False, allow_null=True, default=None)


class StartSerializer(CaseActionSerializer):
    pass


class PauseSerializer(CaseActionSerializer):
    kind = serializers.ChoiceField(
        choices=[
            (k.value, k.label)
            for k in (
                PauseKind.SUPPLEMENT,
                PauseKind.HEARING,
                PauseKind.EXPERT_REVIEW,
                PauseKind.SITE_SURVEY,
            )
        ]
    )
    reason = serializers.CharField()
    started_on = _date_field()


class ResumeSerializer(CaseActionSerializer):
    ended_on = _date_field()


class ExtendSerializer(CaseActionSerializer):
    extension_reason = serializers.CharField()
    extension_approver = StaffUserField(
        queryset=User.objects.all(),
        help_text=gettext_lazy("A district leader or administrator."),
    )
    extended_on = _date_field()


class TransferSerializer(CaseActionSerializer):
    to_department = VisiblePrimaryKeyRelatedField(queryset=Department.objects.all())
    reason = serializers.CharField()
    transferred_on = _date_field()


class ReportSerializer(CaseActionSerializer):
    reported_to = serializers.CharField(max_length=100)
    reported_on = _date_field()


class CompleteSerializer(CaseActionSerializer):
    done_on = _date_field()
    higher_answer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Needed when the case was reported upward."),
    )
    approval_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text=gettext_lazy(
            "The approval's document or permit number, shown to the enterprise."
        ),
    )


class ReturnSerializer(CaseActionSerializer):
    return_reason = serializers.CharField()
    returned_on = _date_field()


class FulfilPledgeSerializer(CaseActionSerializer):
    pledge_fulfilled_on = _date_field()


def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


class ApprovalCaseFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(queryset=_visible(Project))
    item = filters.ModelChoiceFilter(queryset=_visible(ApprovalItem))
    department = filters.ModelChoiceFilter(queryset=_visible(Department))
    status = filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    light = filters.ChoiceFilter(
        method="filter_light",
        choices=[*DEADLINE_LIGHTS, (PAUSED, gettext_lazy("Paused"))],
        help_text=gettext_lazy(
            "green, yellow, red, none, or paused (open cases whose clock stands)."
        ),
    )
    open = filters.BooleanFilter(method="filter_open", label=gettext_lazy("Open"))
    green_channel = filters.BooleanFilter(
        field_name="project__is_green_channel", label=gettext_lazy("Green channel")
    )

    class Meta:
        model = ApprovalCase
        fields = ["project", "item", "department", "status", "agent", "due_is_provisional"]

    def filter_light(self, queryset, name, value):
        if value == PAUSED:
            return queryset.filter(paused=True, status__in=OPEN_STATUSES)
        if "light" not in queryset.query.annotations:  # the list annotates its page only
            queryset = queryset.with_days_left(clock.today())
        return queryset.filter(light=value)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES)
            if value
            else queryset.exclude(status__in=OPEN_STATUSES)
        )


class CaseOrderingFilter(NullsLastOrderingFilter):
    """``?ordering=days_left`` sorts on the due date: the working days left grow with it,
    so the list is cut on an indexed column instead of working out every case's days
    left first (issue 19.3)."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        return [term.replace("days_left", "due_on") for term in ordering]


class CasePermission(BasePermission):
    """Registering a case is for the service center, the bureau and admins (checked again
    per project by the service); each action checks its own rule on the case."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        user = request.user
        return roles.has_role(user, Role.SERVICE_CENTER, Role.BUREAU, Role.ADMIN)


class ApprovalCaseViewSet(ScopedModelViewSet):
    """Approval cases (办件): one per project and item. Created by registering (统一受理);
    changed only through the actions, each calling the service of the case page."""

    model = ApprovalCase
    serializer_class = ApprovalCaseSerializer
    filterset_class = ApprovalCaseFilter
    permission_classes = [StaffApiPermission, CasePermission]
    filter_backends = [DjangoFilterBackend, CaseOrderingFilter]
    ordering_fields = ["id", "due_on", "days_left", "registered_on", "done_on"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return ApprovalCase.objects.none()
        cases = super().get_queryset()
        if self.action == "list":
            # The least working days left first, without a due date last: the due date
            # orders the cases as their days left do (``list`` works those out for the
            # page's rows only).
            return cases.order_by(F("due_on").asc(nulls_last=True), "id")
        return (
            cases.with_days_left(clock.today())
            .select_related("project", "item", "department")
            .order_by(F("days_left").asc(nulls_last=True), "id")
        )

    def list(self, request, *args, **kwargs):
        # The page's ids first (filtered, ordered and cut on plain columns), then those
        # rows with their days left, light and names: whatever the number of cases.
        ids_query = self.filter_queryset(self.get_queryset()).values_list("pk", flat=True)
        page = self.paginate_queryset(ids_query)
        ids = list(ids_query if page is None else page)
        rows = (
            ApprovalCase.objects.filter(pk__in=ids)
            .with_days_left(clock.today())
            .select_related("project", "item", "department")
            .order_by()
        )
        by_id = {case.pk: case for case in rows}
        data = self.get_serializer([by_id[pk] for pk in ids], many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.register_case(
            request.user,
            data["project"],
            data["item"],
            data.get("agent"),
            applied_on=data.get("applied_on"),
        )
        return self._respond(case, status.HTTP_201_CREATED)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ApprovalCaseDetailSerializer
        return super().get_serializer_class()

    def _respond(self, case, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(
            ApprovalCaseSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    materials_complete = api_action(
        MaterialsCompleteSerializer,
        "申报材料齐备: the clock starts the day after.",
        action=ACTIONS["materials-complete"],
    )
    accept = api_action(
        AcceptSerializer,
        "受理, optionally on a written pledge (容缺受理).",
        action=ACTIONS["accept"],
    )
    start = api_action(StartSerializer, "Start handling an accepted case.", action=ACTIONS["start"])
    pause = api_action(
        PauseSerializer, "Pause the clock: 补正 or a special procedure.", action=ACTIONS["pause"]
    )
    resume = api_action(
        ResumeSerializer, "End the pause; the due date is recomputed.", action=ACTIONS["resume"]
    )
    extend = api_action(
        ExtendSerializer,
        "Special circumstances: the longer limit, with a reason and an approver.",
        action=ACTIONS["extend"],
    )
    transfer = api_action(
        TransferSerializer,
        "快速转办 to another department; the clock keeps running.",
        action=ACTIONS["transfer"],
    )
    report = api_action(
        ReportSerializer, "Report the case to a higher authority.", action=ACTIONS["report"]
    )
    complete = api_action(
        CompleteSerializer,
        "办结; cases of a joint decision are done together; the enterprise is told.",
        action=ACTIONS["complete"],
    )
    return_ = api_action(
        ReturnSerializer, "退回 to the enterprise, with the reason.", action=ACTIONS["return"]
    )
    fulfil_pledge = api_action(
        FulfilPledgeSerializer, "The pledged materials arrived.", action=ACTIONS["fulfil-pledge"]
    )
