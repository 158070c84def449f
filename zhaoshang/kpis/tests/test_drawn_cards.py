"""The KPI page's cards drawn in Python (``kpis/templatetags/kpi_cards.py``, issue 19.2)
are the cards the template drew, byte for byte: the former card (below, as it was in
``kpis/index.html``) and the tag render every kind of card alike, in both languages — the
page's own cards and odd ones (no figure, a rate of nothing, markup in a query)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from zhaoshang.kpis.services import KPI_LABELS, KPI_NAMES, RATE_NAMES
from zhaoshang.kpis.tests.test_compute import hand  # noqa: F401 (fixture)

FORMER_CARD = (
    "{% load zs %}{% for card in cards %}\n"
    '  <div class="col-12 col-md-6 col-xl-4"><div class="card h-100" data-kpi="{{ card.name }'
    '}"><div class="card-body">\n    <div class="small text-muted">{{ card.label }}</div>\n    '
    '<div class="fs-3" data-figure="value">{% if card.is_rate %}{{ card.value|percent }}{% el'
    'if card.name == "signed_investment" %}<a href="{% url \'kpis:drill\' %}?{{ card.numerator_'
    "query }}\">{{ card.value|wan }}</a>{% else %}<a href=\"{% url 'kpis:drill' %}?{{ card.nume"
    'rator_query }}">{{ card.value }}</a>{% endif %}</div>\n    {% if card.is_rate %}<div clas'
    's="small">\n      <a href="{% url \'kpis:drill\' %}?{{ card.numerator_query }}" data-figure'
    '="numerator">{% if card.name == "funds_in_place_rate" %}{{ card.numerator|wan }}{% else '
    "%}{{ card.numerator }}{% endif %}</a>\n      ÷ <a href=\"{% url 'kpis:drill' %}?{{ card.de"
    'nominator_query }}" data-figure="denominator">{% if card.name == "funds_in_place_rate" %'
    "}{{ card.denominator|wan }}{% else %}{{ card.denominator }}{% endif %}</a>\n    </div>{% "
    "endif %}\n  </div></div></div>\n"
    "{% endfor %}"
)
DRAWN_CARD = (
    "{% load kpi_cards %}{% url 'kpis:drill' as drill %}{% for card in cards %}\n"
    "  {% kpi_card card drill %}\n{% endfor %}"
)

FIGURES = [
    (12, 7, 12),
    (Decimal("1234567.8900"), Decimal("12.5"), Decimal("0")),
    (Decimal("0.4167"), 5, 12),
    (None, 0, 0),
    (Decimal("1"), Decimal("1000.10"), Decimal("1000.1")),
]


def _cards() -> list[dict]:
    cards = []
    for value, numerator, denominator in FIGURES:
        for name in KPI_NAMES:
            cards.append(
                {
                    "name": name,
                    "label": KPI_LABELS[name],
                    "value": value,
                    "is_rate": name in RATE_NAMES,
                    "numerator": numerator,
                    "denominator": denominator,
                    "numerator_query": f"year=2026&kpi={name}&part=numerator",
                    "denominator_query": 'year=2026&park=<3>&x="&amp;"',
                }
            )
    return cards


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_cards_are_drawn_as_the_template_drew_them(language):
    context = {"cards": _cards(), "request": RequestFactory().get("/")}
    with translation.override(language):
        former = Template(FORMER_CARD).render(Context(context))
        drawn = Template(DRAWN_CARD).render(Context(context))
    assert former.count('class="card h-100"') == len(context["cards"])
    assert drawn == former


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pages_cards_are_drawn_as_the_template_drew_them(client_for, hand, language):  # noqa: F811
    from zhaoshang.kpis import views

    seen = []
    former = Template(FORMER_CARD)
    render = views.render

    def spy(request, template_name, context=None, status=None):
        response = render(request, template_name, context, status=status)
        if "cards" in (context or {}):
            seen.append((former.render(Context(context)), response.content.decode()))
        return response

    views.render = spy
    try:
        with translation.override(language):
            client_for("bureau").get("/kpis/", {"year": 2025})
    finally:
        views.render = render
    assert seen
    ((cards, page),) = seen
    assert cards.count('class="card h-100"') == len(KPI_NAMES)
    assert cards in page
