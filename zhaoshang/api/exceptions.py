"""Errors as SPEC §19 states them: 400 ``{field: [messages]}``, 403/404 outside scope,
409 for a stale ``version``, never 500 for anything a client sends."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from zhaoshang.core.dates import out_of_range_errors
from zhaoshang.core.exceptions import ConcurrentEditError, DateOutOfRange


class Conflict(exceptions.APIException):
    """Someone else saved the record after the client read it (optimistic locking)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _is_concurrent_edit(exc: DjangoValidationError) -> bool:
    return isinstance(exc, ConcurrentEditError) or getattr(exc, "code", None) == "concurrent_edit"


def django_errors_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [
                str(m) for e in errs for m in e.messages
            ]
            for field, errs in exc.error_dict.items()
        }
    else:
        detail = {"non_field_errors": [str(m) for m in exc.messages]}
    return exceptions.ValidationError(detail)


def protected_to_drf(exc: ProtectedError | RestrictedError) -> exceptions.ValidationError:
    """A delete refused because other records still point at the object: say which."""
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts: dict[str, int] = {}
    for obj in objects:
        label = str(capfirst(obj._meta.verbose_name_plural))
        counts[label] = counts.get(label, 0) + 1
    refs = "、".join(f"{label} ({n})" for label, n in counts.items())
    return exceptions.ValidationError(
        {
            "non_field_errors": [
                _("This record cannot be deleted while other records refer to it: %(refs)s.")
                % {"refs": refs}
            ]
        }
    )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError) and _is_concurrent_edit(exc):
        exc = Conflict({"version": [str(m) for m in exc.messages]})
    elif isinstance(exc, DjangoValidationError):
        exc = django_errors_to_drf(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = protected_to_drf(exc)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DateOutOfRange):
        # A date the working-day calendar cannot count from: the client's input, a 400
        # naming the field that holds it.
        request = context.get("request")
        sources = (getattr(request, "data", None), getattr(request, "query_params", None))
        exc = exceptions.ValidationError(out_of_range_errors(exc, *sources))
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # A bare list of messages (DRF's search filter refusing a NUL character, a filter's
        # own check): the documented shape is {field: [messages]}, naming the parameter.
        exc = exceptions.ValidationError(_name_list_errors(exc.detail, context.get("request")))
    return drf_exception_handler(exc, context)


def _name_list_errors(messages: list, request) -> dict:
    params = getattr(request, "query_params", None) or {}
    named = [name for name, value in params.items() if "\x00" in str(value)]
    return {name: list(messages) for name in named} or {"non_field_errors": list(messages)}
