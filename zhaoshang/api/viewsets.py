"""The shape every staff API resource shares: scoped queryset, filters, ordering."""

from __future__ import annotations

import functools
import logging

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from zhaoshang.api.parsers import PARSERS
from zhaoshang.api.permissions import StaffApiPermission
from zhaoshang.api.schema import ResourceSchema
from zhaoshang.core import pagecache

logger = logging.getLogger(__name__)


def answer_after_commit(respond):
    """Wrap a viewset's ``_respond(record, code)``, which reads the record back after the
    service committed: if that read or its rendering fails, the change is saved all the
    same, so the client is told so (the same success status, the record's id and a
    note) instead of a 500 that would make it retry a write that succeeded."""

    @functools.wraps(respond)
    def wrapper(self, record, *args, **kwargs):
        try:
            return respond(self, record, *args, **kwargs)
        except Exception:
            logger.exception("reading back %r after its change was saved", record)
            code = args[0] if args else kwargs.get("code", 200)
            note = _("Saved. The record could not be read back; fetch it again.")
            return Response({"id": getattr(record, "pk", None), "detail": note}, status=code)

    wrapper.answers_after_commit = True
    return wrapper


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A model resource whose rows start from ``Model.objects.visible_to(request.user)``,
    so a row outside the caller's scope is a 404, never a hint."""

    model = None
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    permission_classes = [StaffApiPermission]
    parser_classes = PARSERS
    schema = ResourceSchema()
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        respond = cls.__dict__.get("_respond")
        if respond is not None and not getattr(respond, "answers_after_commit", False):
            cls._respond = answer_after_commit(respond)
        own_list = cls.__dict__.get("list")
        if own_list is not None:
            cls.list = pagecache.kept_list_method(own_list)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    # Kept per person until the data changes (core.pagecache); a resource's own ``list`` too.
    list = pagecache.kept_list_method(viewsets.ModelViewSet.list)


def caller_district(request):
    """The district a new record of the caller belongs to: the caller's own."""
    district = request.user.district if request.user.district_id else None
    if district is None:
        raise exceptions.ValidationError(
            {"non_field_errors": [_("Your account belongs to no district.")]}
        )
    return district


def expected_version(serializer, data: dict) -> int:
    """The version the client read: required on PUT; on PATCH it defaults to the
    current one (the client did not ask for the check)."""
    version = data.pop("version", None)
    if version is not None:
        return version
    if not serializer.partial:
        raise exceptions.ValidationError(
            {"version": [_("Send the version of the record you read (the “version” field).")]}
        )
    return serializer.instance.version
