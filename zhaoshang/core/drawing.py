"""What a template does to a value, done in Python, for the rows and widgets drawn in Python
(issue 19.2): the same text, escaped the same way, as ``{{ value }}`` and its filters in a
template rendered with autoescape."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

# What ``{{ value }}`` gets from a template's context (a Django template, autoescape on).
_CONTEXT = SimpleNamespace(autoescape=True, use_tz=None, use_l10n=None)


def shown(value) -> str:
    """``{{ value }}``: localized (numbers, dates) and escaped."""
    if type(value) is str:
        return conditional_escape(value)
    return render_value_in_context(value, _CONTEXT)


def or_dash(value) -> str:
    """``{{ value|default:"—" }}``."""
    return shown(value) if value else "—"


def ymd(value) -> str:
    """``{{ value|date:"Y-m-d" }}`` ("" for None)."""
    return shown(date_filter(template_localtime(value), "Y-m-d"))
