"""Portal API: reporting — the enterprise's monthly reports (list, read, submit) and the
documents it uploads into its projects' library (list, upload).

A report is checked by the staff's own form and filed by the same service
(``projects.services.submit_monthly_report``): every problem of the input in one 400. An
upload waits for the project's staff to confirm it before it counts as stage evidence."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from zhaoshang.api.exceptions import django_errors_to_drf
from zhaoshang.api.parsers import SafeJSONParser, SafeMultiPartParser
from zhaoshang.core.validators import validate_upload
from zhaoshang.portal.access import own_projects
from zhaoshang.portal.api.base import PortalViewSet, request_fields
from zhaoshang.projects import services
from zhaoshang.projects.forms import MonthlyReportForm
from zhaoshang.projects.models import DocumentVersion, MaterialType, MonthlyReport

UPLOAD_PARSERS = [SafeMultiPartParser, FormParser, SafeJSONParser]


def _own_project(request, value):
    """The enterprise's project named by ``value``, else a 400 on ``project``."""
    chosen = str(value if value is not None else "")
    project = None
    if chosen.isdigit():
        project = own_projects(request.user).filter(pk=int(chosen)).first()
    if project is None:
        raise exceptions.ValidationError(
            {"project": [_("Choose one of your enterprise's projects (by its id).")]}
        )
    return project


class ReportPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The photo (a portal page).")
    )


class PortalReportSerializer(serializers.ModelSerializer):
    """A filed monthly report (月度进度) as the enterprise reads it."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    due_on = serializers.DateField(
        read_only=True, help_text=gettext_lazy("The 5th of the month after.")
    )
    is_late = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("Submitted after its due day.")
    )
    submitted_by = serializers.CharField(source="submitted_by.display_name", read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "project",
            "project_name",
            "month",
            "due_on",
            "investment_this_month",
            "investment_cumulative",
            "funds_this_month",
            "jobs",
            "output_this_month",
            "tax_this_month",
            "image_progress",
            "problems",
            "is_correction",
            "correction_reason",
            "cumulative_before",
            "is_late",
            "submitted_by",
            "submitted_at",
            "photos",
        ]
        read_only_fields = fields

    @extend_schema_field(ReportPhotoSerializer(many=True))
    def get_photos(self, obj) -> list:
        return [
            {"id": p.pk, "url": reverse("portal:report_photo", args=[obj.pk, p.pk])}
            for p in obj.photos.all()
        ]


class PortalReportSubmitSerializer(serializers.Serializer):
    """A monthly report to submit (the fields of the staff's form; multipart for photos).
    A change to a month already filed, or a cumulative figure below the month before's, is
    a correction: ``is_correction`` with its ``correction_reason``."""

    project = serializers.IntegerField()
    month = serializers.CharField(
        help_text=gettext_lazy("YYYY-MM (or the first day of the month).")
    )
    investment_this_month = serializers.DecimalField(max_digits=14, decimal_places=2)
    investment_cumulative = serializers.DecimalField(max_digits=14, decimal_places=2)
    funds_this_month = serializers.DecimalField(max_digits=14, decimal_places=2)
    jobs = serializers.IntegerField(required=False, allow_null=True)
    output_this_month = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Once producing."),
    )
    tax_this_month = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Once producing."),
    )
    image_progress = serializers.CharField()
    problems = serializers.CharField(required=False, allow_blank=True)
    is_correction = serializers.BooleanField(required=False)
    correction_reason = serializers.CharField(required=False, allow_blank=True)
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=gettext_lazy("Site photos (JPG, PNG)."),
    )


class PortalReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PortalViewSet
):
    """The monthly reports of the enterprise's projects; ``POST`` submits one."""

    queryset = (
        MonthlyReport.objects.select_related("project", "submitted_by")
        .prefetch_related("photos")
        .order_by("-month", "-id")
    )
    serializer_class = PortalReportSerializer
    parser_classes = UPLOAD_PARSERS

    def enterprise_rows(self, queryset):
        return queryset.filter(project__enterprise_id=self.request.user.enterprise_id)

    @extend_schema(
        request={
            "multipart/form-data": PortalReportSubmitSerializer,
            "application/json": PortalReportSubmitSerializer,
        },
        responses={
            201: PortalReportSerializer,
            400: OpenApiResponse(description="{field: [messages]}: every problem at once."),
        },
    )
    def create(self, request, *args, **kwargs):
        """Submit the monthly report of one of the enterprise's projects."""
        body = request_fields(request)
        try:
            project = _own_project(request, body.get("project"))
        except exceptions.ValidationError as refused:
            # Without the project the report's own checks cannot run: the fields' shapes
            # are still named with it, in the same answer.
            shape = PortalReportSubmitSerializer(data=body)
            shape.is_valid()
            raise exceptions.ValidationError({**shape.errors, **refused.detail}) from None
        form = MonthlyReportForm(data=body, files=request.FILES, project=project)
        if not form.is_valid():
            raise django_errors_to_drf(DjangoValidationError(form.errors.as_data()))
        report = services.submit_monthly_report(
            request.user, project, form.cleaned_data, request.FILES.getlist("photos")
        )
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(
            PortalReportSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class PortalDocumentSerializer(serializers.ModelSerializer):
    """A document the enterprise uploaded into a project's library, and whether the
    project's staff have confirmed it (only then does it count as stage evidence)."""

    project = serializers.IntegerField(source="document.project_id", read_only=True)
    material_type = serializers.CharField(source="document.material_type.code", read_only=True)
    material_name = serializers.CharField(source="document.material_type.label", read_only=True)
    awaits_confirmation = serializers.BooleanField(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "project",
            "material_type",
            "material_name",
            "number",
            "original_name",
            "size",
            "note",
            "uploaded_at",
            "awaits_confirmation",
            "confirmed_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("portal:document_download", args=[obj.pk])


class PortalDocumentUploadSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    material_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=MaterialType.objects.all(),
        help_text=gettext_lazy("The material's code."),
    )
    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PortalDocumentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, PortalViewSet):
    """The documents the enterprise uploaded; ``POST`` (multipart) uploads one."""

    queryset = DocumentVersion.objects.select_related("document__material_type").order_by(
        "-uploaded_at", "-id"
    )
    serializer_class = PortalDocumentSerializer
    parser_classes = UPLOAD_PARSERS

    def enterprise_rows(self, queryset):
        enterprise = self.request.user.enterprise_id
        return queryset.filter(
            document__project__enterprise_id=enterprise, uploaded_by__enterprise_id=enterprise
        )

    @extend_schema(
        request={"multipart/form-data": PortalDocumentUploadSerializer},
        responses={
            201: PortalDocumentSerializer,
            400: OpenApiResponse(description="{field: [messages]}"),
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload a document into one of the enterprise's projects' library."""
        body = request_fields(request)
        form = PortalDocumentUploadSerializer(data=body)
        form.is_valid()
        errors = {field: list(messages) for field, messages in form.errors.items()}
        if "project" not in errors:
            try:
                project = _own_project(request, body.get("project"))
            except exceptions.ValidationError as refused:
                errors.update(refused.detail)
        if "file" not in errors and body.get("file") is not None:
            try:  # the file's own check (the service's), in the same answer as the rest
                validate_upload(body["file"])
            except DjangoValidationError as bad:
                errors["file"] = list(bad.messages)
        if errors:
            raise exceptions.ValidationError(errors)
        data = form.validated_data
        version = services.upload_document(
            request.user, project, data["material_type"], data["file"], data.get("note", "")
        )
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(
            PortalDocumentSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    """Add this area's resources to the portal router."""
    router.register("reports", PortalReportViewSet, basename="portal-report")
    router.register("documents", PortalDocumentViewSet, basename="portal-document")
