"""The KPI page's cards (``kpis/index.html``), drawn in Python: each card's figures went
through the template's conditions, filters and four ``{% url %}`` tags, a good part of the
page's work (issue 19.2). The HTML is the same as the template's card, byte for byte
(``kpis/tests/test_drawn_cards.py`` renders the former card beside this one)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from zhaoshang.core.drawing import shown
from zhaoshang.core.templatetags.zs import percent, wan

register = template.Library()


@register.simple_tag
def kpi_card(card: dict, drill: str) -> str:
    """One card: ``drill`` is the drill-down's URL (``{% url 'kpis:drill' %}``)."""
    drill = shown(drill)
    name = card["name"]
    numerator_link = f"{drill}?{shown(card['numerator_query'])}"
    if card["is_rate"]:
        value = shown(percent(card["value"]))
    elif name == "signed_investment":
        value = f'<a href="{numerator_link}">{shown(wan(card["value"]))}</a>'
    else:
        value = f'<a href="{numerator_link}">{shown(card["value"])}</a>'
    html = (
        f'<div class="col-12 col-md-6 col-xl-4"><div class="card h-100" data-kpi="{shown(name)}">'
        '<div class="card-body">\n'
        f'    <div class="small text-muted">{shown(card["label"])}</div>\n'
        f'    <div class="fs-3" data-figure="value">{value}</div>\n    '
    )
    if card["is_rate"]:
        money = wan if name == "funds_in_place_rate" else (lambda figure: figure)
        html += (
            '<div class="small">\n'
            f'      <a href="{numerator_link}" data-figure="numerator">'
            f"{shown(money(card['numerator']))}</a>\n"
            f'      ÷ <a href="{drill}?{shown(card["denominator_query"])}" '
            f'data-figure="denominator">{shown(money(card["denominator"]))}</a>\n'
            "    </div>"
        )
    return mark_safe(html + "\n  </div></div></div>")
