"""Portal API: the commitments of both sides, read-only — ``/api/v1/portal/obligations/``
(the obligations of the enterprise's investment agreements, its own and the departments',
with the status ``agreements`` derives) and ``/api/v1/portal/commitments/`` (the
departments' service commitments to its projects, with their milestones). Read by the
same querysets as the commitments page (``portal.commitments_data``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers

from zhaoshang.agreements.choices import MilestoneState, ObligationStatus, Party
from zhaoshang.agreements.models import Commitment, Milestone, Obligation
from zhaoshang.core import clock
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.portal.api.base import PortalViewSet
from zhaoshang.portal.commitments_data import commitments_of, obligations_of


class PortalObligationSerializer(serializers.ModelSerializer):
    """A term of an investment agreement: who owes what by when, and where it stands."""

    project = serializers.IntegerField(source="agreement.project_id", read_only=True)
    agreement_number = serializers.CharField(source="agreement.number", read_only=True)
    department_name = serializers.CharField(
        source="department.name", read_only=True, default="", allow_blank=True
    )
    description = serializers.CharField(read_only=True)
    target = serializers.CharField(source="target_display", read_only=True)
    met_on = serializers.DateField(read_only=True, allow_null=True)
    # Codes as plain strings: the staff API's obligations name the same enums, and two
    # resources sharing them need an ENUM_NAME_OVERRIDES entry (asked of the lead).
    kind = serializers.CharField(
        read_only=True, help_text=_("funds, investment, stage, service, tax, jobs, intensity …")
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text=_("pending, met, met_late, missed or waived.")
    )
    status_label = serializers.SerializerMethodField()
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    days_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Working days to the due date (0 on it, negative once past)."),
    )
    current_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Obligation
        fields = [
            "id",
            "project",
            "agreement_number",
            "party",
            "department_name",
            "kind",
            "kind_label",
            "description",
            "target",
            "due_on",
            "met_on",
            "status",
            "status_label",
            "light",
            "days_left",
            "current_value",
            "waived_on",
            "waiver_reason",
        ]
        read_only_fields = fields

    def get_status_label(self, obj) -> str:
        return str(ObligationStatus(obj.status).label)


class PortalMilestoneSerializer(serializers.ModelSerializer):
    owner_department_name = serializers.CharField(source="owner_department.name", read_only=True)
    state = serializers.ChoiceField(choices=MilestoneState.choices, read_only=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "seq",
            "name",
            "owner_department_name",
            "due_on",
            "due_is_provisional",
            "progress",
            "done_on",
            "state",
            "light",
            "days_left",
        ]
        read_only_fields = fields


class PortalCommitmentSerializer(serializers.ModelSerializer):
    """A department's service commitment to the project, with its reverse schedule."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    progress = serializers.FloatField(read_only=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    next_due_on = serializers.DateField(read_only=True, allow_null=True)
    milestones = PortalMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "project",
            "department_name",
            "title",
            "content",
            "clause",
            "target_on",
            "completed_on",
            "next_due_on",
            "progress",
            "light",
            "milestones",
        ]
        read_only_fields = fields


class PortalObligationFilter(filters.FilterSet):
    project = filters.NumberFilter(field_name="agreement__project_id")
    party = filters.ChoiceFilter(choices=Party.choices)

    class Meta:
        model = Obligation
        fields = ["project", "party"]


class PortalObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The obligations of the enterprise's agreements, both parties."""

    queryset = Obligation.objects.all()
    serializer_class = PortalObligationSerializer
    filterset_class = PortalObligationFilter

    def enterprise_rows(self, queryset):
        return obligations_of(self.request.user, clock.today())


class PortalCommitmentFilter(filters.FilterSet):
    project = filters.NumberFilter(field_name="project_id")

    class Meta:
        model = Commitment
        fields = ["project"]


class PortalCommitmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The departments' service commitments to the enterprise's projects."""

    queryset = Commitment.objects.all()
    serializer_class = PortalCommitmentSerializer
    filterset_class = PortalCommitmentFilter

    def enterprise_rows(self, queryset):
        return commitments_of(self.request.user, clock.today())


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("obligations", PortalObligationViewSet, basename="portal-obligation")
    router.register("commitments", PortalCommitmentViewSet, basename="portal-commitment")
