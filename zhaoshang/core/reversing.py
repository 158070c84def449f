"""``reverse()`` of the URLs that take one integer (a record's page), reversed once per
process and URL configuration: a list reverses one per row, and Django's ``reverse`` cost a
list of 25 rows about a millisecond each time (issue 19.2). The URL is the same string
``reverse`` returns (``core/tests/test_reversing.py``)."""

from __future__ import annotations

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# An argument no URL holds otherwise: where it lands in the reversed URL, the id goes.
_MARK = 918273645546372819
# (URL configuration, script prefix, language, name): (head, tail), or None when the URL
# is not "head + id + tail" (reversed each time then).
_PARTS: dict = {}


def pk_url(name: str, pk) -> str:
    """``reverse(name, args=[pk])`` for an integer ``pk``."""
    if type(pk) is not int:
        return reverse(name, args=[pk])
    key = (get_resolver(get_urlconf()), get_script_prefix(), get_language(), name)
    try:
        parts = _PARTS[key]
    except KeyError:
        parts = _PARTS[key] = _split(name)
        if len(_PARTS) > 512:
            _PARTS.clear()
    if parts is None:
        return reverse(name, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"


def _split(name: str) -> tuple[str, str] | None:
    head, mark, tail = reverse(name, args=[_MARK]).partition(str(_MARK))
    if not mark or str(_MARK) in tail or reverse(name, args=[7]) != f"{head}7{tail}":
        return None
    return head, tail
