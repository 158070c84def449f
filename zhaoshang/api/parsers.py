"""Request parsers that turn every malformed body into a 400."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, but deeply nested input (``[[[[…``) is a 400, not a
    RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError()  # DRF's own (translated) "Malformed request."


PARSERS = [SafeJSONParser, FormParser, MultiPartParser]
