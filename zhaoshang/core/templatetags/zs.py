"""Template helpers shared by every app."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from zhaoshang.core import links
from zhaoshang.core.drawing import display

register = template.Library()


@register.filter
def startswith(value, prefix) -> bool:
    return str(value).startswith(str(prefix))


@register.filter
def wan(value, places: int = 2):
    """A money amount in 万元 with thousands separators; blank for None."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    text = f"{value:,.{int(places)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def percent(value, places: int = 1):
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:.{int(places)}f}%"


@register.simple_tag
def stage_badge(project_or_stage, label=None):
    stage = getattr(project_or_stage, "stage", project_or_stage)
    if label is None and hasattr(project_or_stage, "get_stage_display"):
        label = display(project_or_stage, "stage")
    colours = {
        "lead": "secondary",
        "negotiating": "secondary",
        "prereview": "info",
        "signed": "primary",
        "registered": "primary",
        "land_delivered": "primary",
        "started": "warning",
        "completed": "warning",
        "production": "success",
        "capacity": "success",
        "terminated": "dark",
        "exited": "danger",
    }
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', colours.get(stage, "secondary"), label or stage
    )


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """``{% url name pk %}`` for a record's page, reversed once per process
    (``core.links``): the lists' rows each link one."""
    return links.pk_url(name, pk)


@register.simple_tag
def condition_badge(project):
    if project.condition == "normal":
        return ""
    colour = "warning" if project.condition == "delayed" else "danger"
    return format_html(
        '<span class="badge text-bg-{}" title="{}">{}</span>',
        colour,
        project.condition_reason,
        display(project, "condition"),
    )


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for sort and page links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.filter
def yesno_zh(value):
    return _("Yes") if value else _("No")
