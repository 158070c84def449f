"""Links to many records at once.

``reverse`` walks the URL resolver on every call; a scan that links thousands of records
(signals, breaches, warnings) reverses the pattern once and fills in each id."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARK = 987654321987


def url_of(url_name: str) -> Callable[[int], str]:
    """``reverse(url_name, args=[pk])`` as a function of ``pk``, reversed once. The
    pattern takes one integer, so the link is the same text around it."""
    template = reverse(url_name, args=[_MARK])
    head, _sep, tail = template.partition(str(_MARK))
    return lambda pk: f"{head}{pk}{tail}"


def url_sql(url_name: str, pk, suffix=None):
    """SQL for ``url_of(url_name)(pk)`` (+ ``suffix``, an expression appended), with ``pk``
    a field name or expression of the query: the same text, built by the database."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    template = reverse(url_name, args=[_MARK])
    head, _sep, tail = template.partition(str(_MARK))
    pk = F(pk) if isinstance(pk, str) else pk
    pieces = [Value(head), Cast(pk, output_field=CharField()), Value(tail)]
    if suffix is not None:
        pieces.append(suffix)
    return Concat(*pieces, output_field=CharField())
