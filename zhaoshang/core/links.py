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
