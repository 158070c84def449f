"""How the API describes itself (drf-spectacular): every operation documents, besides its
own answer, the errors it can give, in the shapes ``api.exceptions`` writes them (SPEC
§19), so that a client — and the schemathesis run of the test suite — finds every status
code it may receive in the document.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from zhaoshang.api.serializers import Serializer

# The content types an error body comes in.
ERROR_MEDIA_TYPES = ("application/json",)


class ErrorSerializer(Serializer):
    """An error with no field to name: ``{"detail": "…"}``."""

    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")


# A 400 names the fields and the reasons ({field: [messages]}; "non_field_errors" for the
# whole request); a malformed body is {"detail": "…"}. A 409 names the stale "version".
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "{field: [messages]} naming each refused field and the reason "
        '("non_field_errors" for the request as a whole), or {"detail": message} '
        "for a body that cannot be read."
    ),
    "additionalProperties": {},
}
CONFLICT_SCHEMA = {
    "type": "object",
    "description": (
        '{"version": [message]}: someone saved the record after the client read it; '
        "read it again and retry."
    ),
    "additionalProperties": {},
}


class ApiSchema(AutoSchema):
    """The schema class of every API view (``DEFAULT_SCHEMA_CLASS``): DRF-spectacular's,
    plus the error answers each operation can give."""

    def _is_list_view(self, serializer=None) -> bool:
        # A resource whose list answers one object (the KPIs, the standings' page) says so
        # with ``list_answers_one_object``; drf-spectacular would declare an array.
        if getattr(self.view, "list_answers_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description, body in self._error_responses():
            if code in responses:
                continue
            responses[code] = {
                "description": description,
                "content": {media: {"schema": body} for media in ERROR_MEDIA_TYPES},
            }
        return responses

    def _error_responses(self):
        detail = self.resolve_serializer(ErrorSerializer, "response").ref
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_query = bool(
            self._is_list_view() or self._get_filter_parameters() or self._get_paginator()
        )
        authenticated = bool(self.get_auth())
        # Any request can be refused as malformed (a bad filter, a bad body, bad UTF-8).
        yield "400", "Bad input: the fields refused and why.", FIELD_ERRORS_SCHEMA
        if authenticated:
            yield "401", "No valid credentials (an unknown or expired token).", detail
            yield "403", "The caller may not do this.", detail
        if "{" in self.path or has_query:
            yield "404", "No such record within the caller's scope, or no such page.", detail
        if self.method in ("PUT", "PATCH", "POST", "DELETE"):
            yield "409", "The record changed since the client read it.", CONFLICT_SCHEMA
        if has_body:
            yield "415", "The body's content type is not accepted.", detail
        yield "429", "Too many requests: retry after the time in Retry-After.", detail


class ResourceSchema(ApiSchema):
    """Tag each operation with its resource (``/api/v1/<resource>/…``)."""

    def get_tags(self):
        parts = [part for part in self.path.split("/") if part]
        if len(parts) >= 3 and parts[0] == "api":
            return [parts[2]]
        return super().get_tags()


# A wall-clock time as the API writes it ("09:30:00", Asia/Shanghai, no offset). OpenAPI's
# ``format: time`` is RFC 3339's full-time, which requires an offset, so a validator would
# refuse every answer: the schema states the shape the API really uses instead.
LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def local_times(result, generator, request, public):
    """Postprocessing hook: every ``format: time`` property becomes a local-time pattern."""

    def fix(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node["pattern"] = LOCAL_TIME_PATTERN
                node.setdefault("description", "HH:MM[:SS], Asia/Shanghai")
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(result)
    return result
