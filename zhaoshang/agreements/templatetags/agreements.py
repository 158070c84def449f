"""Labels of the derived states (annotated in SQL as plain codes) for the templates."""

from __future__ import annotations

from django import template

from zhaoshang.agreements.choices import MilestoneState, ObligationStatus
from zhaoshang.agreements.choices import figure as _figure
from zhaoshang.core.lights import Light

register = template.Library()


@register.filter
def obligation_status_label(code) -> str:
    return str(ObligationStatus(code).label) if code in ObligationStatus.values else ""


@register.filter
def milestone_state_label(code) -> str:
    return str(MilestoneState(code).label) if code in MilestoneState.values else ""


@register.filter
def light_label(code) -> str:
    return str(Light(code).label) if code in Light.values else ""


@register.filter
def figure(value) -> str:
    """A decimal without trailing zeros, with thousands separators; — for None."""
    return "—" if value in (None, "") else _figure(value)


@register.filter
def iso(value) -> str:
    """An ISO date kept as text in a filed version (shown as it was filed)."""
    return value or "—"
