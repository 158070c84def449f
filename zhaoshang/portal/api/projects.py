"""Portal API: the enterprise's projects (``/api/v1/portal/projects/``), read-only — the
facts of the service hall's "my projects": each project with its funds in place, its light
and why and its next deadline; a project's detail adds the stage line with its dates, the
stage changes with the evidence the enterprise may see, the service team with phones, the
leader in charge and the deadlines on both sides. Read by the same functions as the pages
(``portal.project_facts``, ``portal.deadlines``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.response import Response

from zhaoshang.core import clock
from zhaoshang.core.lights import DEADLINE_LIGHTS, Light
from zhaoshang.portal import project_facts as facts
from zhaoshang.portal.api.base import PortalViewSet
from zhaoshang.portal.deadlines import ENTERPRISE, GOVERNMENT, KIND_LABELS, deadlines_of
from zhaoshang.portal.views.projects import next_deadline
from zhaoshang.projects.choices import Stage, TeamRole
from zhaoshang.projects.models import Project

PROJECT_LIGHTS = [(x.value, x.label) for x in (Light.GREEN, Light.YELLOW, Light.RED)]
DEADLINE_SIDES = [(ENTERPRISE, _("The enterprise's")), (GOVERNMENT, _("The government's"))]


class PortalDeadlineSerializer(serializers.Serializer):
    """A date one side must keep for the project."""

    side = serializers.ChoiceField(choices=DEADLINE_SIDES, read_only=True)
    deadline_kind = serializers.ChoiceField(
        source="kind", choices=list(KIND_LABELS.items()), read_only=True
    )
    kind_label = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    party = serializers.CharField(
        read_only=True, help_text=_("The department that owes it (blank: the enterprise).")
    )
    status = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    provisional = serializers.BooleanField(
        read_only=True,
        help_text=_("暂定: the holiday arrangement of the due date's year is not published yet."),
    )
    days_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Working days to the due date (0 on it, negative once past)."),
    )
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)


class PortalLightReasonSerializer(serializers.Serializer):
    """A yellow or red item of the project (monitoring's signal): why it is lit."""

    subject = serializers.CharField(read_only=True)
    subject_label = serializers.CharField(source="get_subject_display", read_only=True)
    title = serializers.CharField(read_only=True)
    department = serializers.CharField(
        source="department.name", read_only=True, default="", allow_blank=True
    )
    due_on = serializers.DateField(read_only=True, allow_null=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)


class PortalProjectSerializer(serializers.Serializer):
    """A project of the enterprise, as its card in the service hall shows it."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    park = serializers.CharField(source="park.name", read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    is_green_channel = serializers.BooleanField(read_only=True)
    total_investment = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    funds_in_place = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    project_light = serializers.ChoiceField(
        source="light",
        choices=PROJECT_LIGHTS,
        read_only=True,
        help_text=_("The worst light of the project's open items, as of the last daily scan."),
    )
    light_reasons = PortalLightReasonSerializer(source="reasons", many=True, read_only=True)
    next_deadline = PortalDeadlineSerializer(read_only=True, allow_null=True)


class PortalStageStepSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    state = serializers.CharField(
        read_only=True, help_text=_("done, current, or blank for a stage to come.")
    )
    date = serializers.DateField(read_only=True, allow_null=True)


class PortalEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    material = serializers.CharField(source="document.material_type.label", read_only=True)
    number = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("portal:project_document", args=[obj.document.project_id, obj.pk])


class PortalStageEventSerializer(serializers.Serializer):
    from_stage = serializers.CharField(read_only=True)
    to_stage = serializers.CharField(read_only=True, help_text=_("The stage reached (a code)."))
    to_stage_label = serializers.CharField(source="get_to_stage_display", read_only=True)
    occurred_on = serializers.DateField(read_only=True)
    is_backward = serializers.BooleanField(read_only=True)
    evidence = PortalEvidenceSerializer(source="shown_evidence", many=True, read_only=True)


class PortalTeamMemberSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=TeamRole.choices, read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    department = serializers.CharField(
        source="user.department.name", read_only=True, default="", allow_blank=True
    )
    phone = serializers.CharField(source="user.phone", read_only=True)


class PortalLeaderSerializer(serializers.Serializer):
    name = serializers.CharField(source="display_name", read_only=True)
    position = serializers.CharField(source="title", read_only=True)


class PortalDeadlinesSerializer(serializers.Serializer):
    enterprise = PortalDeadlineSerializer(many=True, read_only=True)
    government = PortalDeadlineSerializer(many=True, read_only=True)


class PortalProjectDetailSerializer(PortalProjectSerializer):
    """A project of the enterprise, as its page in the service hall shows it."""

    stage_line = PortalStageStepSerializer(many=True, read_only=True)
    stage_events = PortalStageEventSerializer(source="stage_changes", many=True, read_only=True)
    team = PortalTeamMemberSerializer(many=True, read_only=True)
    leader = PortalLeaderSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The leader in charge: the designated contact leader, else the manager."),
    )
    deadlines = PortalDeadlinesSerializer(read_only=True)


def attach_cards(user, projects: list, today) -> dict:
    """Give each project its reasons and next deadline (constant queries); return the
    deadlines by project."""
    deadlines = deadlines_of(projects, today)
    reasons = facts.light_reasons(p.pk for p in projects)
    for p in projects:
        p.reasons = reasons.get(p.pk, [])
        p.next_deadline = next_deadline(deadlines[p.pk])
    return deadlines


class PortalProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The enterprise's own projects (another enterprise's is a 404)."""

    queryset = Project.objects.all()
    serializer_class = PortalProjectSerializer

    def enterprise_rows(self, queryset):
        # The enterprise's projects with their funds in place and light (the pages' rows).
        return facts.project_rows(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PortalProjectDetailSerializer
        return PortalProjectSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        attach_cards(request.user, rows, clock.today())
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        project = self.get_object()
        user = request.user
        deadlines = attach_cards(user, [project], clock.today())[project.pk]
        project.stage_line = facts.stage_line(project)
        project.stage_changes = facts.stage_events(user, project)
        project.team = facts.service_team(project)
        project.leader = facts.leaders([project.pk]).get(project.pk)
        project.deadlines = deadlines
        return Response(self.get_serializer(project).data)


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("projects", PortalProjectViewSet, basename="portal-project")
