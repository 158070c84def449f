"""The KPI pages' filter form drawn in Python (``kpis/templatetags/kpi_filters.py``, issue
19.2) is the form the template drew, byte for byte: the former template (below, as it was in
``kpis/_filters.html``) and the tag render the filters of each KPI page's form alike — a
district's and the city's, valid, with errors on visible and hidden fields, the drill-down's
figure and cut-off, the funds' month — in both languages."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from zhaoshang.kpis.forms import DrillForm, FundsMonthForm, KpiFilterForm
from zhaoshang.org.models import User

pytestmark = pytest.mark.django_db

FORMER = (
    '{% load i18n %}<form method="get" class="row g-2 align-items-end mb-3" data-testid="kpi-'
    'filters">\n  {% for field in form.hidden_fields %}{% if field.value %}{{ field }}{% endif'
    ' %}{% endfor %}\n  {% for field in form.visible_fields %}{% if field.name != "kpi" and fi'
    'eld.name != "part" %}\n  <div class="col-6 col-md-2"><label class="form-label small mb-0"'
    ' for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}{% for e in field.er'
    'rors %}<div class="invalid-feedback d-block">{{ e }}</div>{% endfor %}</div>\n  {% endif '
    '%}{% endfor %}\n  {% if form.kpi %}<input type="hidden" name="kpi" value="{{ form.kpi.val'
    'ue|default:\'\' }}"><input type="hidden" name="part" value="{{ form.part.value|default:\'\' '
    '}}">{% endif %}\n  {% for field in form %}{% if field.is_hidden or field.name == "kpi" or'
    ' field.name == "part" %}{% for e in field.errors %}<div class="col-12 invalid-feedback d'
    '-block" data-testid="hidden-error">{{ field.label }}{% translate ": " context "label suf'
    'fix" %}{{ e }}</div>{% endfor %}{% endif %}{% endfor %}\n  <div class="col-auto"><button '
    'class="btn btn-primary btn-sm" type="submit">{% translate "Show" %}</button></div>\n</for'
    "m>\n"
)
DRAWN = "{% load kpi_filters %}{% kpi_filters form %}\n"

CASES = [
    (KpiFilterForm, ""),
    (KpiFilterForm, "year=2025&since=2024&level=provincial"),
    (KpiFilterForm, "year=abc&since=3000&park=999999&level=<b>"),
    (KpiFilterForm, "year=2026&since=2027"),
    (DrillForm, "year=2026&kpi=start_rate&part=numerator&as_of=2026-03-31&tier_min=10"),
    (DrillForm, "year=2026&kpi=nope&part=<x>&as_of=bad&signed_from=2025-01-01&tier_below=-1"),
    (FundsMonthForm, "year=2026&month=13"),
    (FundsMonthForm, "year=2026&month=4"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("username", ["bureau", "city"])
@pytest.mark.parametrize(("form_class", "query"), CASES)
def test_the_filters_are_drawn_as_the_template_drew_them(
    world, language, username, form_class, query
):
    user = User.objects.get(username=username)
    with translation.override(language):
        forms = [form_class(QueryDict(query), user=user) for _ in range(2)]
        for form in forms:
            form.is_valid()
        request = RequestFactory().get("/")
        former = Template(FORMER).render(Context({"form": forms[0], "request": request}))
        drawn = Template(DRAWN).render(Context({"form": forms[1], "request": request}))
    assert "<select" in former and "<label" in former
    if "as_of=bad" in query:  # the hidden fields' errors
        assert former.count('data-testid="hidden-error"') >= 3
    if "as_of=2026" in query:  # a hidden field with a value
        assert 'type="hidden" name="as_of" value="2026-03-31"' in former
    if "year=abc" in query:
        assert former.count('<div class="invalid-feedback d-block">') >= 3
    assert drawn == former
