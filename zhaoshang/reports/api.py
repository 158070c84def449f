"""REST API of issued reports (SPEC §16): ``reports`` — read-only; the list gives each
issued version with its file links, the detail adds the frozen figures. Scoped like the
pages (``IssuedReport.objects.visible_to``)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.reverse import reverse

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.serializers import ModelSerializer
from zhaoshang.api.viewsets import ResourceSchema
from zhaoshang.core.exports import download_disposition
from zhaoshang.reports.models import FORMATS, IssuedReport
from zhaoshang.reports.views import CONTENT_TYPES


class IssuedReportSerializer(ModelSerializer):
    files = serializers.SerializerMethodField()
    issued_by = serializers.CharField(source="issued_by.display_name", read_only=True)

    class Meta:
        model = IssuedReport
        fields = [
            "id",
            "district",
            "kind",
            "period",
            "version",
            "number",
            "title",
            "issued_by",
            "issued_at",
            "project_count",
            "files",
        ]
        read_only_fields = fields

    def get_files(self, obj) -> dict[str, str]:
        request = self.context.get("request")
        return {
            fmt: reverse("api:report-file", args=[obj.pk, fmt], request=request) for fmt in FORMATS
        }


class IssuedReportDetailSerializer(IssuedReportSerializer):
    figures = serializers.JSONField(read_only=True)

    class Meta(IssuedReportSerializer.Meta):
        fields = [*IssuedReportSerializer.Meta.fields, "figures"]
        read_only_fields = fields


class IssuedReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Issued reports (monthly summaries, quarterly bulletins, year-end assessments): every
    version as issued, frozen."""

    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()
    filterset_fields = ["kind", "period", "version"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IssuedReport.objects.none()
        qs = IssuedReport.objects.visible_to(self.request.user).select_related("issued_by")
        if self.action == "list":
            qs = qs.defer("figures")
        return qs.order_by("-issued_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return IssuedReportDetailSerializer
        return IssuedReportSerializer

    @extend_schema(responses={200: OpenApiResponse(description="The file as issued."), 404: None})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<fmt>[a-z]+)", url_name="file")
    def file(self, request, pk=None, fmt=None):
        """The issued file: ``xlsx``, ``docx`` or ``pdf``."""
        if fmt not in FORMATS:
            raise Http404
        report = self.get_object()
        with getattr(report, fmt).open("rb") as handle:
            content = handle.read()
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = download_disposition(
            report.download_name(fmt), report.download_fallback(fmt)
        )
        return response
