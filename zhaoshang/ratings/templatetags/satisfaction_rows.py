"""The rows of the departments' satisfaction (``ratings/_satisfaction_table.html``, on the
KPI page), drawn in Python: seven template variables per department, a part of the page's
work (issue 19.2). The HTML is the same as the template's row, byte for byte
(``ratings/tests/test_satisfaction_rows.py`` renders the former row beside this one)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from zhaoshang.core.drawing import shown
from zhaoshang.core.templatetags.zs import percent

register = template.Library()


@register.simple_tag
def satisfaction_row(row) -> str:
    """One ``<tr>`` of a ``ratings.services.Satisfaction``."""
    return mark_safe(
        f'<tr data-department="{shown(row.department_id)}">\n'
        f'    <td class="text-nowrap">{shown(row.department)}</td>'
        f'<td class="text-end">{shown(row.rated)}</td>'
        f'<td class="text-end">{shown(row.satisfied)}</td>'
        f'<td class="text-end">{shown(row.fairly)}</td>'
        f'<td class="text-end">{shown(row.dissatisfied)}</td>'
        f'<td class="text-end">{shown(percent(row.rate))}</td>\n'
        "  </tr>"
    )
