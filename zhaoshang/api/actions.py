"""The POST actions of a resource (``/<resource>/{id}/<slug>/``), shared by the apps: each
calls the action of the app's ``actions.py`` — the same permission check and service as the
page — after validating its serializer, and answers with the fresh record (the viewset's
``_respond``). Refusals are 403; bad input 400 naming the field; a stale version 409."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied


def service_action(
    name: str,
    slug: str,
    doc: str,
    *,
    serializers: dict,
    actions: dict,
    responses: dict,
    parser_classes=None,
):
    """The viewset method ``name`` for the action ``slug``. With ``parser_classes`` (file
    uploads) the schema offers the request as multipart and as JSON."""
    serializer_class = serializers[slug]

    def handler(self, request, pk=None):
        record = self.get_object()
        spec = actions[slug]
        if not spec.allowed(request.user, record):
            raise PermissionDenied
        form = serializer_class(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        spec.run(request.user, record, data, data.pop("version", None))
        return self._respond(record)

    handler.__name__ = name
    handler.__doc__ = doc
    schema_request = serializer_class
    if parser_classes is not None:
        schema_request = {
            "multipart/form-data": serializer_class,
            "application/json": serializer_class,
        }
    handler = extend_schema(request=schema_request, responses=responses)(handler)
    options = {"parser_classes": parser_classes} if parser_classes is not None else {}
    return action(
        detail=True,
        methods=["post"],
        url_path=slug,
        url_name=slug,
        serializer_class=serializer_class,
        **options,
    )(handler)
