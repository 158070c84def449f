"""Portal API: the enterprise's complaints (投诉, ``/api/v1/portal/complaints/``): each with
its deadlines (accept by, answer by, verify by; 暂定 while provisional), the supervision
office's finding and answer, and the enterprise's rating (another enterprise's complaint
is a 404; the department's own account is not given). ``POST`` lodges one (channel 企业门户;
JSON, or multipart with files); ``{id}/rate/`` rates the answer — 不满意 reopens it once.
The changes go through ``complaints.services``, like the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from zhaoshang.api.serializers import Serializer
from zhaoshang.complaints import services
from zhaoshang.complaints.choices import Category, ComplaintStatus, Outcome, Rating
from zhaoshang.complaints.models import Complaint
from zhaoshang.core import clock
from zhaoshang.core.actions import api_action
from zhaoshang.core.lights import DEADLINE_LIGHTS
from zhaoshang.org.models import Department
from zhaoshang.portal.access import own_projects
from zhaoshang.portal.api.base import PortalViewSet
from zhaoshang.portal.api.needs import PortalFileSerializer, PortalRateSerializer
from zhaoshang.portal.views.complaints import (
    MAX_COMPLAINT_FILES,
    as_score,
    complaints_in_order,
    lodge,
)
from zhaoshang.portal.views.needs import files_help
from zhaoshang.projects.models import Project


class PortalComplaintSerializer(Serializer):
    """One complaint of the enterprise, as the enterprise sees it."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    department = serializers.IntegerField(source="department_id", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    contact_name = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(read_only=True)
    contact_consent = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy("The department complained about may see the contact."),
    )
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, read_only=True)
    received_on = serializers.DateField(read_only=True)
    dispatched_on = serializers.DateField(read_only=True, allow_null=True)
    accept_by = serializers.DateField(read_only=True, allow_null=True)
    accepted_on = serializers.DateField(read_only=True, allow_null=True)
    answer_by = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The department states the facts by this date."),
    )
    verify_by = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The supervision office verifies them and answers by this date."),
    )
    dates_provisional = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy("A date rests on an unpublished holiday arrangement (暂定)."),
    )
    due_on = serializers.DateField(read_only=True, allow_null=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    light = serializers.ChoiceField(choices=DEADLINE_LIGHTS, read_only=True)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        read_only=True,
        allow_blank=True,
        help_text=gettext_lazy("The supervision office's finding."),
    )
    answer = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The supervision office's answer to you.")
    )
    found_on = serializers.DateField(read_only=True, allow_null=True)
    rating = serializers.ChoiceField(choices=Rating.choices, read_only=True, allow_blank=True)
    rated_on = serializers.DateField(read_only=True, allow_null=True)
    reopened = serializers.BooleanField(read_only=True)
    attachments = PortalFileSerializer(
        source="own_files",
        many=True,
        read_only=True,
        help_text=gettext_lazy("The files your enterprise sent."),
    )
    version = serializers.IntegerField(read_only=True)


class PortalComplaintCreateSerializer(Serializer):
    """A complaint to lodge; the service checks it and says every problem at once."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.none(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The department complained about."),
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.none(), required=False, allow_null=True
    )
    text = serializers.CharField(required=False, allow_blank=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    contact_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("The department complained about may see the contact."),
    )
    # The service checks the number and each file with the other fields, every problem
    # at once (a refusal here would hide them).
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text=lazy(files_help, str)(MAX_COMPLAINT_FILES),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.fields["project"].queryset = own_projects(user)
            self.fields["department"].queryset = Department.objects.filter(
                district_id=user.district_id
            )


class PortalComplaintRateSerializer(PortalRateSerializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("The version you read; a stale one is refused with 409."),
    )


def _rate(user, complaint, data, version):
    try:
        return services.rate_complaint(
            user,
            complaint,
            rating=data.get("score", ""),
            reason=data.get("reason", ""),
            expected_version=version,
        )
    except ValidationError as exc:
        raise as_score(exc) from None


class PortalComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The enterprise's complaints: those waiting for its rating first, then those under
    way, then the closed ones."""

    queryset = Complaint.objects.all()
    serializer_class = PortalComplaintSerializer
    filter_backends: list = []

    def enterprise_rows(self, queryset):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return queryset.none()
        return complaints_in_order(self.request.user, clock.today(), with_files=True)

    def _respond(self, complaint, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=complaint.pk)
        return Response(PortalComplaintSerializer(fresh).data, status=code)

    @extend_schema(
        request={
            "multipart/form-data": PortalComplaintCreateSerializer,
            "application/json": PortalComplaintCreateSerializer,
        },
        responses={201: PortalComplaintSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Lodge a complaint (channel 企业门户): it goes to the supervision office. JSON, or
        multipart with ``attachments``."""
        form = PortalComplaintCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        complaint = lodge(request.user, dict(form.validated_data))
        return self._respond(complaint, status.HTTP_201_CREATED)

    rate = api_action(
        PortalComplaintRateSerializer,
        "评价: rate the supervision office's answer (满意/基本满意/不满意; a reason when not "
        "satisfied). 不满意 reopens the complaint once; otherwise it is closed.",
        run=_rate,
        slug="rate",
    )


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("complaints", PortalComplaintViewSet, basename="portal-complaint")
