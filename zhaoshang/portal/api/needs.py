"""Portal API: the enterprise's needs (企业诉求, ``/api/v1/portal/needs/``): its needs with
their status, department, due date and answer (another enterprise's need is a 404);
``POST`` raises one for a project of the enterprise (JSON, or multipart with files);
``{id}/rate/`` rates the answer. The changes go through ``service.services``, like the
pages."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from zhaoshang.api.serializers import Serializer
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.org.models import Department
from zhaoshang.portal.access import own_projects
from zhaoshang.portal.api.base import PortalViewSet
from zhaoshang.portal.views.needs import files_help, need_departments, needs_in_order
from zhaoshang.projects.models import Project
from zhaoshang.ratings.choices import Score
from zhaoshang.service import services
from zhaoshang.service.choices import NeedCategory, NeedStatus
from zhaoshang.service.models import Need


class PortalFileSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class PortalNeedSerializer(Serializer):
    """One need of the enterprise, as the enterprise sees it."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    category = serializers.ChoiceField(choices=NeedCategory.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    department = serializers.IntegerField(source="department_id", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    raised_on = serializers.DateField(read_only=True)
    due_workdays = serializers.IntegerField(read_only=True)
    due_on = serializers.DateField(read_only=True)
    due_is_provisional = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy("The year's holiday arrangement is not published yet (暂定)."),
    )
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    status = serializers.ChoiceField(choices=NeedStatus.choices, read_only=True)
    resolution = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The answer (or the reason it was closed).")
    )
    resolved_on = serializers.DateField(read_only=True, allow_null=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    rated_score = serializers.ChoiceField(
        choices=Score.choices,
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Your rating of the answer; null until rated."),
    )
    attachments = PortalFileSerializer(many=True, read_only=True)


class PortalNeedCreateSerializer(Serializer):
    """A need to raise; the service checks the content and says every problem at once."""

    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.none(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("One of your projects."),
    )
    category = serializers.ChoiceField(choices=NeedCategory.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.none(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The department concerned; leave it out and the investment bureau passes it on."
        ),
    )
    # The service checks the number and each file with the other fields, every problem
    # at once (a refusal here would hide them).
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text=lazy(files_help, str)(services.MAX_NEED_FILES),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.fields["project"].queryset = own_projects(user)
            self.fields["department"].queryset = need_departments(user)


class PortalRateSerializer(Serializer):
    score = serializers.ChoiceField(choices=Score.choices, required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required when you are not satisfied."),
    )


class PortalNeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The enterprise's needs (企业诉求), the open ones first, the soonest due first."""

    queryset = Need.objects.all()
    serializer_class = PortalNeedSerializer
    filter_backends: list = []

    def get_serializer_class(self):
        return PortalNeedCreateSerializer if self.action == "create" else PortalNeedSerializer

    def enterprise_rows(self, queryset):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return queryset.none()
        return needs_in_order(self.request.user).prefetch_related("attachments")

    def _respond(self, need, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=need.pk)
        return Response(PortalNeedSerializer(fresh).data, status=code)

    @extend_schema(
        request={
            "multipart/form-data": PortalNeedCreateSerializer,
            "application/json": PortalNeedCreateSerializer,
        },
        responses={201: PortalNeedSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Raise a need for one of your projects: to the department concerned, or left to
        the investment bureau; answered within 5 working days. JSON, or multipart with
        ``attachments``."""
        form = PortalNeedCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        need = services.raise_enterprise_need(
            request.user,
            data.get("project"),
            category=data.get("category", ""),
            title=data.get("title", ""),
            description=data.get("description", ""),
            department=data.get("department"),
            files=data.get("attachments", ()),
        )
        return self._respond(need, status.HTTP_201_CREATED)

    rate = api_action(
        PortalRateSerializer,
        "评价: rate the answer to a need, once (满意/基本满意/不满意; a reason when not "
        "satisfied).",
        run=lambda user, need, data, version: services.rate_need(
            user, need, score=data.get("score", ""), reason=data.get("reason", "")
        ),
        slug="rate",
    )


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("needs", PortalNeedViewSet, basename="portal-need")
