"""The KPI pages' filter form (``kpis/_filters.html``: the KPIs, their charts, the districts
compared, the drill-down, the funds of a month), drawn in Python: the template walked the
form's fields three times through its variables and tags, a part of the KPI page's work
(issue 19.2). The HTML is the same as the template drew, byte for byte
(``kpis/tests/test_drawn_filters.py`` renders the former template beside this tag); the
fields themselves are drawn by their widgets (``core.widgets``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from zhaoshang.core.drawing import shown

register = template.Library()

_FIGURE = ("kpi", "part")


@register.simple_tag
def kpi_filters(form) -> str:
    """The ``<form>`` of the filters of ``form`` (its hidden fields with a value, its
    visible fields but the figure's, the figure as hidden inputs, the hidden fields'
    errors)."""
    html = [
        '<form method="get" class="row g-2 align-items-end mb-3" data-testid="kpi-filters">\n  '
    ]
    html += [shown(field) for field in form.hidden_fields() if field.value()]
    html.append("\n  ")
    for field in form.visible_fields():
        if field.name not in _FIGURE:
            errors = "".join(
                f'<div class="invalid-feedback d-block">{shown(e)}</div>' for e in field.errors
            )
            html.append(
                '\n  <div class="col-6 col-md-2"><label class="form-label small mb-0" '
                f'for="{shown(field.id_for_label)}">{shown(field.label)}</label>'
                f"{shown(field)}{errors}</div>\n  "
            )
    html.append("\n  ")
    if "kpi" in form.fields:
        html.append(
            f'<input type="hidden" name="kpi" value="{shown(form["kpi"].value() or "")}">'
            f'<input type="hidden" name="part" value="{shown(form["part"].value() or "")}">'
        )
    html.append("\n  ")
    suffix = pgettext("label suffix", ": ")
    for field in form:
        if field.is_hidden or field.name in _FIGURE:
            html += [
                '<div class="col-12 invalid-feedback d-block" data-testid="hidden-error">'
                f"{shown(field.label)}{suffix}{shown(e)}</div>"
                for e in field.errors
            ]
    html.append(
        '\n  <div class="col-auto"><button class="btn btn-primary btn-sm" type="submit">'
        f"{gettext('Show')}</button></div>\n</form>"
    )
    return mark_safe("".join(html))
