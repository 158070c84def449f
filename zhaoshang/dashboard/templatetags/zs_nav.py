"""The top bar's menu and its fixed links, drawn in Python: every staff page shows them, and
drawing them through template loops and ``{% url %}`` cost each page several milliseconds
(issue 19.2). The HTML is the same as the loops drew, byte for byte
(``dashboard/tests/test_navigation.py``)."""

from __future__ import annotations

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Per URL configuration and script prefix: the URLs named without arguments, reversed once.
_URLS: dict = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process (and URL
    configuration, which tests swap)."""
    key = (get_resolver(get_urlconf()), get_script_prefix())
    urls = _URLS.get(key)
    if urls is None:
        if len(_URLS) > 16:
            _URLS.clear()
        urls = _URLS[key] = {}
    url = urls.get(name)
    if url is None:
        url = urls[name] = reverse(name)
    return url


# Per menu (the context processor's cached list) and language: each entry's HTML around its
# "active" marks, escaped once.
_DRAWN: dict = {}


def _drawn(items) -> list:
    key = (id(items), get_language())
    found = _DRAWN.get(key)
    if found is not None and found[0] is items:
        return found[1]
    if len(_DRAWN) > 64:
        _DRAWN.clear()
    drawn = [_draw(label, href, icon, children) for label, href, icon, children in items]
    _DRAWN[key] = (items, drawn)
    return drawn


def _draw(label, href, icon, children) -> tuple:
    """(href, [(path, head, tail)] of each child, head, tail): an entry is head + " active"
    (when lit) + tail; a group's toggle is lit once per child whose path starts the path."""
    icon_html = f'<i class="bi {conditional_escape(icon)} me-1" aria-hidden="true"></i>'
    if not children:
        return (
            href,
            None,
            '\n        \n        <li class="nav-item"><a class="nav-link',
            f'" href="{conditional_escape(href)}">{icon_html}{conditional_escape(label)}'
            "</a></li>\n        \n        ",
        )
    rows = [
        (
            str(c_path),
            '<li><a class="dropdown-item',
            f'" href="{conditional_escape(c_href)}"><i class="bi {conditional_escape(c_icon)}'
            f' me-1" aria-hidden="true"></i>{conditional_escape(c_label)}</a></li>',
        )
        for c_label, c_href, c_icon, c_path in children
    ]
    return (
        href,
        rows,
        '\n        \n        <li class="nav-item dropdown">\n'
        '          <a class="nav-link dropdown-toggle',
        '" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">'
        f"{icon_html}{conditional_escape(label)}</a>\n"
        '          <ul class="dropdown-menu" data-nav-group>\n            ',
    )


_GROUP_END = "\n          </ul>\n        </li>\n        \n        "


@register.simple_tag(takes_context=True)
def nav_menu(context) -> str:
    """The entries of ``nav_items`` (the navigation context processor's), the one of the
    current page lit: a group when one of its pages' paths starts the request's path, an
    entry when it is the path or (unless listed in ``nav_exact``) starts it."""
    items = context.get("nav_items")
    if not items:
        return ""
    path = context["request"].path
    exact = context.get("nav_exact") or ()
    out = []
    for href, rows, head, tail in _drawn(items):
        if rows is None:
            lit = path == href or (href not in exact and path.startswith(str(href)))
            out.append(head + (" active" if lit else "") + tail)
            continue
        lit = [path.startswith(c_path) for c_path, _h, _t in rows]
        out.append(head + " active" * sum(lit) + tail)
        out.extend(
            c_head + (" active" if c_lit else "") + c_tail
            for c_lit, (_p, c_head, c_tail) in zip(lit, rows, strict=True)
        )
        out.append(_GROUP_END)
    return mark_safe("".join(out))
