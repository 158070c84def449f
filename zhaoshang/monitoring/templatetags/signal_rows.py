"""The rows of the lights (``monitoring/_signals.html``: the lights board, a project's
monitoring tab), drawn in Python: each row's light badge was an ``{% include %}`` and its
project link a ``{% url %}``, a good part of the board's work (issue 19.2). The HTML is the
same as the template row drew, byte for byte (``monitoring/tests/test_signal_rows.py``
renders the former row beside this one)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from zhaoshang.core.drawing import display, or_dash, shown, ymd
from zhaoshang.core.links import pk_url

register = template.Library()

# ``monitoring/_light.html`` (its badge, then the file's closing newline); the labels are
# ``{% translate %}`` of literals, not escaped.
_LIGHTS = {
    "red": ('<span class="badge text-bg-danger" data-light="red">', "Red"),
    "yellow": ('<span class="badge text-bg-warning" data-light="yellow">', "Yellow"),
    "green": ('<span class="badge text-bg-success" data-light="green">', "Green"),
}


def light_badge(light) -> str:
    """``{% include "monitoring/_light.html" %}`` for ``light``."""
    found = _LIGHTS.get(light)
    if found is None:
        return '<span class="text-muted" data-light="none">—</span>\n'
    return f"{found[0]}{gettext(found[1])}</span>\n"


@register.simple_tag(name="light_badge")
def light_badge_tag(light) -> str:
    """``{% include "monitoring/_light.html" with light=… %}``."""
    return mark_safe(light_badge(light))


@register.simple_tag
def signal_row(s, show_district, hide_project) -> str:
    """One ``<tr>`` of the lights (its cells as ``_signals.html`` drew them)."""
    out = [f'\n    <tr data-signal="{shown(s.pk)}">\n      ']
    if show_district:
        out.append(f'<td class="text-nowrap">{shown(s.district)}</td>')
    title = shown(s.title)
    if s.url:
        title = f'<a href="{shown(s.url)}">{title}</a>'
    if s.gap is not None:
        gap = gettext("%(gap)s points below plan") % {"gap": shown(s.gap)}
        title += f'<div class="small text-muted">{gap}</div>'
    out.append(
        f"\n      <td>{light_badge(s.light)}</td>\n"
        f'      <td class="text-nowrap small">{shown(display(s, "subject"))}</td>\n'
        f"      <td>{title}</td>\n      "
    )
    if not hide_project:
        if s.project_id:
            project = s.project
            cell = (
                f'<a href="{shown(pk_url("monitoring:project", s.project_id))}" '
                f'class="text-reset">{shown(project.name)}</a>'
            )
            if project.park_id:
                cell += f'<div class="small text-muted">{shown(project.park)}</div>'
        else:
            cell = "—"
        out.append(f"<td>{cell}</td>")
    department = s.department.name if s.department is not None else ""
    days_left = shown(s.days_left) if s.days_left is not None else "—"
    if s.level:
        level = f'{shown(display(s, "level"))}<div class="text-muted">{ymd(s.escalated_on)}</div>'
        if s.unassigned:
            level += (
                '<span class="badge text-bg-danger" data-unassigned title="'
                + gettext(
                    "The step had nobody: sent to the office of the investment leading group."
                )
                + '">'
                + gettext("Unassigned · leading group office")
                + "</span>"
            )
    else:
        level = "—"
    out.append(
        f"\n      <td>{or_dash(department)}</td>\n"
        f'      <td class="text-nowrap">{or_dash(ymd(s.due_on))}</td>\n'
        f'      <td class="text-end">{days_left}</td>\n'
        f'      <td class="text-nowrap small">{ymd(s.since)}</td>\n'
        f'      <td class="small">{level}</td>\n'
        "    </tr>\n  "
    )
    return mark_safe("".join(out))
