"""What the meetings API shares: help texts, upload parsers, scoped choices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.parsers import FormParser

from zhaoshang.api.parsers import SafeJSONParser, SafeMultiPartParser

VERSION_HELP = gettext_lazy(
    "The version you read. A stale version is refused with 409 and changes nothing; "
    "required on PUT, optional on PATCH and on the actions."
)
DATE_HELP = gettext_lazy("Defaults to today; cannot be in the future.")
FILE_HELP = gettext_lazy("pdf, jpg, png, docx, xlsx, doc, xls, ofd or zip.")
UPLOAD_PARSERS = [SafeMultiPartParser, FormParser, SafeJSONParser]


def visible(model):
    """The choices of a filter: the caller's visible rows of ``model``."""

    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


def version_field():
    """The optional version of a write (409 when stale)."""

    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)
