"""What a template does to a value, done in Python, for the rows and widgets drawn in Python
(issue 19.2): the same text, escaped the same way, as ``{{ value }}`` and its filters in a
template rendered with autoescape."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

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
    """``{{ value|date:"Y-m-d" }}`` ("" for None); a plain date (no time zone to convert
    to, four-digit years) is its ISO form."""
    if type(value) is datetime.date and value.year >= 1000:
        return value.isoformat()
    return shown(date_filter(template_localtime(value), "Y-m-d"))


# A deadline's light as the worklists draw it: (badge class, data-light, label).
_DEADLINE_LIGHTS = {
    "red": ("text-bg-danger", "red", "Overdue"),
    "yellow": ("text-bg-warning", "yellow", "Due soon"),
    "green": ("text-bg-success", "green", "On time"),
}


def deadline_light(light) -> str | None:
    """A deadline's light badge (``approvals/_light.html``'s and ``meetings/_light.html``'s
    lit branch), newline ended; None for a value that is no light."""
    found = _DEADLINE_LIGHTS.get(light)
    if found is None:
        return None
    css, name, label = found
    return (
        f'<span class="badge {css}" data-light="{name}"><i class="bi bi-circle-fill me-1" '
        f'aria-hidden="true"></i>{gettext(label)}</span>\n'
    )


def due_date(due_on, is_provisional: bool) -> str:
    """A due date with its "provisional" badge when next year's holidays are not published
    (``approvals/_due.html``'s and ``meetings/_due.html``'s dated branch), newline ended."""
    html = f'<span class="text-nowrap">{ymd(due_on)}</span>'
    if is_provisional:
        html += (
            ' <span class="badge text-bg-light border" title="'
            + gettext(
                "The next year’s holiday arrangement is not published yet: the date is "
                "recomputed when it is."
            )
            + '" data-testid="provisional">'
            + gettext("provisional")
            + "</span>"
        )
    return html + "\n"


# Per model field: its choices as a dict (their labels lazy: translated when shown).
_CHOICES: dict = {}


def display(instance, name: str) -> str:
    """``instance.get_<name>_display()``, without building the field's choices again on each
    call (Django makes them hashable every time: a tenth of a list's rows' work)."""
    field = instance._meta.get_field(name)
    choices = _CHOICES.get(field)
    if choices is None:
        choices = _CHOICES[field] = dict(make_hashable(field.flatchoices))
    value = getattr(instance, field.attname)
    return force_str(choices.get(make_hashable(value), value), strings_only=True)
