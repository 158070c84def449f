"""Links to many records at once.

``reverse`` walks the URL resolver on every call (about a millisecond for a list of 25
rows): a scan that links thousands of records (signals, breaches, warnings) and a list that
links each of its rows reverse the pattern once and fill in each id. The URL is the string
``reverse`` returns (``core/tests/test_links.py``)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# An argument no URL holds otherwise: where it lands in the reversed URL, the id goes.
_MARK = 918273645546372819
# (URL configuration, script prefix, language, name): (head, tail), or None when the URL
# is not "head + id + tail" (reversed each time then).
_PARTS: dict = {}


def pk_url(name: str, pk) -> str:
    """``reverse(name, args=[pk])`` for an integer ``pk``, the pattern reversed once per
    process, URL configuration, script prefix and language."""
    if type(pk) is not int:
        return reverse(name, args=[pk])
    parts = _parts(name)
    if parts is None:
        return reverse(name, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"


def url_of(url_name: str) -> Callable[[int], str]:
    """``reverse(url_name, args=[pk])`` as a function of ``pk`` (a scan's many records)."""
    parts = _parts(url_name)
    if parts is None:
        return lambda pk: reverse(url_name, args=[pk])
    head, tail = parts
    return lambda pk: f"{head}{pk}{tail}"


def _parts(name: str) -> tuple[str, str] | None:
    key = (get_resolver(get_urlconf()), get_script_prefix(), get_language(), name)
    try:
        return _PARTS[key]
    except KeyError:
        if len(_PARTS) > 512:
            _PARTS.clear()
        parts = _PARTS[key] = _split(name)
        return parts


def _split(name: str) -> tuple[str, str] | None:
    head, mark, tail = reverse(name, args=[_MARK]).partition(str(_MARK))
    if not mark or str(_MARK) in tail or reverse(name, args=[7]) != f"{head}7{tail}":
        return None
    return head, tail


def url_sql(url_name: str, pk, suffix=None):
    """SQL for ``url_of(url_name)(pk)`` (+ ``suffix``, an expression appended), with ``pk``
    a field name or expression of the query: the same text, built by the database."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    parts = _parts(url_name)
    if parts is None:
        raise ValueError(f"{url_name}: not a URL of one integer")
    head, tail = parts
    pk = F(pk) if isinstance(pk, str) else pk
    pieces = [Value(head), Cast(pk, output_field=CharField()), Value(tail)]
    if suffix is not None:
        pieces.append(suffix)
    return Concat(*pieces, output_field=CharField())
