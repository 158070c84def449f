"""REST API of 报送主要领导 (SPEC §7, §20): ``POST receipts/{id}/forward/`` and
``POST needs/{id}/forward/`` (the leader in charge forwards, with a note), and
``forwards`` — the caller's forwarded items, received (a principal leader's inbox) or
sent — with ``POST forwards/{id}/read/``.

Every change goes through ``service.services``; rows start from ``visible_to``: a
forwarded item is seen by its sender and its recipient only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.schema import ResourceSchema
from zhaoshang.api.serializers import ModelSerializer, Serializer
from zhaoshang.projects.models import Project
from zhaoshang.service import permissions, services
from zhaoshang.service.models import Forward, Need, Receipt


class ForwardSerializer(ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    sent_by_name = serializers.CharField(source="sent_by.display_name", read_only=True)
    recipient_name = serializers.CharField(source="recipient.display_name", read_only=True)

    class Meta:
        model = Forward
        fields = [
            "id",
            "district",
            "receipt",
            "need",
            "project",
            "project_name",
            "sent_by",
            "sent_by_name",
            "recipient",
            "recipient_name",
            "note",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


class ForwardInputSerializer(Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("What the leader asks of the principal leaders, and why."),
    )
    # Plain ids, checked by the service against the district's principal leaders (no lookup
    # here that would tell another district's user ids apart).
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=None,
        help_text=gettext_lazy(
            "Ids of the district's principal leaders; all of them when left out."
        ),
    )


class ForwardActionMixin:
    """``POST {id}/forward/`` on receipts and needs: forwarded by the leader in charge."""

    forward_kind = "receipt"  # or "need"

    @extend_schema(
        request=ForwardInputSerializer,
        responses={
            201: ForwardSerializer(many=True),
            400: OpenApiResponse(description="{field: [messages]}"),
            403: OpenApiResponse(description="Not the leader in charge."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=ForwardInputSerializer)
    def forward(self, request, pk=None):
        """报送主要领导: forward to the district's principal leaders, with a note."""
        subject = self.get_object()
        kwargs = {self.forward_kind: subject}
        if not permissions.can_forward(request.user, **kwargs):
            raise exceptions.PermissionDenied()
        form = ForwardInputSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        recipients = data.get("recipients")
        rows = services.forward(
            request.user,
            note=data.get("note", ""),
            recipients=recipients,
            **kwargs,
        )
        fresh = Forward.objects.filter(pk__in=[r.pk for r in rows]).select_related(
            "project", "sent_by", "recipient"
        )
        return Response(ForwardSerializer(fresh, many=True).data, status=status.HTTP_201_CREATED)


def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


class ForwardFilter(filters.FilterSet):
    project = filters.ModelChoiceFilter(queryset=_visible(Project))
    receipt = filters.ModelChoiceFilter(queryset=_visible(Receipt))
    need = filters.ModelChoiceFilter(queryset=_visible(Need))
    box = filters.ChoiceFilter(
        method="filter_box",
        choices=[("received", "received"), ("sent", "sent")],
        help_text=gettext_lazy("received: forwarded to the caller; sent: by the caller."),
    )
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Forward
        fields = ["project", "receipt", "need"]

    def filter_box(self, queryset, name, value):
        user = self.request.user
        if value == "received":
            return queryset.filter(recipient=user)
        if value == "sent":
            return queryset.filter(sent_by=user)
        return queryset


class ForwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Forwarded items (报送主要领导) the caller sent or received; read only, but for the
    principal leader's ``read``."""

    serializer_class = ForwardSerializer
    filterset_class = ForwardFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "sent_at"]
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Forward.objects.none()
        return (
            Forward.objects.visible_to(self.request.user)
            .select_related("project", "sent_by", "recipient")
            .order_by("-sent_at", "-id")
        )

    @extend_schema(
        request=None,
        responses={200: ForwardSerializer, 403: OpenApiResponse(description="Not yours.")},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """The principal leader it was forwarded to marks it read (once)."""
        item = self.get_object()
        if item.recipient_id != request.user.pk:
            raise exceptions.PermissionDenied()
        services.mark_forward_read(request.user, item)
        return Response(ForwardSerializer(self.get_queryset().get(pk=item.pk)).data)
