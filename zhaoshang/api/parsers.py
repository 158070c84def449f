"""Request parsers that turn every malformed body into a 400."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, but deeply nested input (``[[[[…``) is a 400, not a
    RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError()  # DRF's own (translated) "Malformed request."


class SafeMultiPartParser(MultiPartParser):
    """DRF's multipart parser, but a value that is not UTF-8 (which Django's parser turns
    into U+FFFD) is a 400 naming the field, not stored mangled. (POST bodies are checked
    by ``core.http_middleware``; this covers PUT and PATCH, which Django leaves to DRF.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        for name, values in parsed.data.lists():
            if "\ufffd" in name or any("\ufffd" in value for value in values):
                message = _("The request is not valid UTF-8 text.")
                raise ValidationError({name if "\ufffd" not in name else "detail": [message]})
        return parsed


PARSERS = [SafeJSONParser, FormParser, SafeMultiPartParser]
