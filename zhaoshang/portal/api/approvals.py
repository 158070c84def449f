"""Portal API: the enterprise's approval cases (``/api/v1/portal/cases/``) — the facts of
the service hall's case page — and its rating of a done case (``…/cases/{id}/rate/``,
the same ``approvals.services.rate_case`` as the page)."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import OPEN_STATUSES, CaseStatus, LimitUnit
from zhaoshang.approvals.models import ApprovalCase, CasePause
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.portal.api.base import PortalViewSet
from zhaoshang.portal.views.approvals import enterprise_cases
from zhaoshang.ratings.choices import Score


class PortalCasePauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CasePause
        fields = ["kind", "reason", "started_on", "ended_on"]
        read_only_fields = fields


class PortalCaseSerializer(serializers.ModelSerializer):
    """One approval case as the enterprise sees it."""

    project_code = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    handler_name = serializers.CharField(
        source="handler.display_name", read_only=True, default=None, allow_null=True
    )
    handler_phone = serializers.CharField(
        source="handler.phone", read_only=True, default=None, allow_null=True
    )
    days_left = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Days to the due date in ``days_unit`` (0 on it, negative once past); null when "
            "there is no due date, the case is closed or its clock is paused."
        )
    )
    days_unit = serializers.SerializerMethodField(
        help_text=gettext_lazy("workday or natural_day: the unit of the case's limit.")
    )
    green_channel = serializers.BooleanField(source="project.is_green_channel", read_only=True)
    pauses = PortalCasePauseSerializer(many=True, read_only=True)
    has_certificate = serializers.SerializerMethodField()
    rating = serializers.CharField(
        source="rating_score",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The enterprise's rating once given (satisfied, fairly or dissatisfied); a done "
            "case is rated once."
        ),
    )

    class Meta:
        model = ApprovalCase
        fields = [
            "id",
            "project",
            "project_code",
            "project_name",
            "item_name",
            "department_name",
            "handler_name",
            "handler_phone",
            "status",
            "registered_on",
            "materials_complete_on",
            "accepted_on",
            "due_on",
            "due_is_provisional",
            "days_left",
            "days_unit",
            "paused",
            "pauses",
            "returned_on",
            "return_reason",
            "extended",
            "extension_reason",
            "done_on",
            "approval_number",
            "has_certificate",
            "green_channel",
            "rating",
        ]
        read_only_fields = fields

    def _remaining(self, case):
        return services.remaining(case, self.context.get("today") or clock.today())

    def get_days_left(self, case) -> int | None:
        return self._remaining(case).days

    def get_days_unit(self, case) -> str:
        return str(self._remaining(case).unit or LimitUnit.WORKDAY)

    def get_has_certificate(self, case) -> bool:
        return bool(case.certificate)


class PortalCaseRateSerializer(serializers.Serializer):
    score = serializers.ChoiceField(
        choices=Score.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Needed when the score is dissatisfied."),
    )


def _rate(user, case, data, _version):
    return services.rate_case(user, case, score=data["score"], reason=data["reason"])


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("project", int, description="A project of the enterprise (id)."),
            OpenApiParameter("status", str, description="open or done."),
        ]
    )
)
class PortalCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The approval cases of the enterprise's projects: status, who holds each, its days,
    pauses, return, extension and result. Filters: ``project`` (id), ``status`` (open or
    done)."""

    queryset = ApprovalCase.objects.all()
    serializer_class = PortalCaseSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return ApprovalCase.objects.none()
        return self.enterprise_rows(None)

    def enterprise_rows(self, queryset):
        rows = enterprise_cases(self.request.user).prefetch_related(
            Prefetch("pauses", queryset=CasePause.objects.order_by("started_on", "id"))
        )
        params = self.request.query_params
        project = params.get("project", "")
        if project.isdigit():
            rows = rows.filter(project_id=int(project))
        if params.get("status") == "open":
            rows = rows.filter(status__in=OPEN_STATUSES)
        elif params.get("status") == "done":
            rows = rows.filter(status=CaseStatus.DONE)
        return rows.order_by(F("due_on").asc(nulls_last=True), "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": clock.today()}

    def _respond(self, case, code=200) -> Response:
        fresh = self.get_queryset().get(pk=case.pk)
        context = self.get_serializer_context()
        return Response(PortalCaseSerializer(fresh, context=context).data, status=code)

    rate = api_action(
        PortalCaseRateSerializer,
        "好差评: the enterprise rates a done case once — satisfied, fairly satisfied or "
        "dissatisfied (with a reason).",
        run=_rate,
        slug="rate",
    )


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("cases", PortalCaseViewSet, basename="portal-case")
