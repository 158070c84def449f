"""The worklist's rows drawn in Python (``approvals/templatetags/case_rows.py``, issue 19.2)
are the rows the template drew, byte for byte: the former row template (below, as it was in
``approvals/worklist.html``, with its three included templates) and the tag render every
kind of case alike, in both languages, with and without the district and department
columns."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock

pytestmark = pytest.mark.django_db

FORMER_ROW = (
    '\n    <tr data-case="{{ c.pk }}">\n      {% if show_district %}<td class="text-now'
    'rap">{{ c.district }}</td>{% endif %}\n      <td>{% include "approvals/_light.htm'
    'l" %}</td>\n      <td class="text-nowrap{% if not c.paused and c.days_left is not'
    " None %}{% if c.days_left < 0 %} zs-days-overdue{% elif c.days_left <= 1 %} zs-d"
    'ays-soon{% endif %}{% endif %}" data-days-left="{{ c.days_left|default_if_none:\''
    '\' }}">{{ c.days_left_text|default:"—" }}</td>\n      <td>{% include "approvals/_d'
    'ue.html" %}{% if c.extended %} <span class="badge text-bg-warning" title="{% tra'
    'nslate \'Extended (special circumstances)\' %}">{% translate "extended" %}</span>{'
    '% endif %}</td>\n      <td><a href="{{ c.get_absolute_url }}">{{ c.item.name }}</'
    'a></td>\n      <td><a href="{% url \'approvals:project\' c.project_id %}" class="te'
    'xt-reset">{{ c.project.name }}</a>{% if c.project.is_green_channel %} <span clas'
    's="badge text-bg-success" title="{% translate \'Green channel\' %}"><i class="bi b'
    'i-lightning-charge" aria-hidden="true"></i></span>{% endif %}<div class="small t'
    'ext-muted">{{ c.project.code }}</div></td>\n      {% if not own_department %}<td '
    'class="text-nowrap">{{ c.department.short_name|default:c.department.name }}</td>'
    '{% endif %}\n      <td>{% include "approvals/_status.html" %}</td>\n      <td clas'
    's="text-nowrap">{{ c.materials_complete_on|date:"Y-m-d"|default:"—" }}</td>\n    '
    '  <td class="text-nowrap">{{ c.agent.display_name|default:"—" }}</td>\n    </tr>\n'
    "  "
)
FORMER = "{% load i18n %}{% for c in page %}" + FORMER_ROW + "{% endfor %}"
DRAWN = (
    "{% load case_rows %}{% for c in page %}"
    "{% case_row c show_district own_department %}{% endfor %}"
)


def _cases() -> list[ApprovalCase]:
    found = (
        ApprovalCase.objects.with_days_left(clock.today())
        .select_related("project", "item", "department", "agent", "district")
        .order_by("pk")
    )
    cases = list(found)
    assert len(cases) >= 3
    variants = [
        {"paused": True, "status": cases[0].status},
        {"light": "red", "days_left": -2, "extended": True, "due_is_provisional": True},
        {"light": "yellow", "days_left": 1, "agent": None, "materials_complete_on": None},
        {"light": "green", "days_left": 0, "due_on": None, "days_left_text": ""},
        {"light": None, "days_left": None, "days_left_text": '<"超期">'},
        {"light": "green", "days_left": 5, "paused": True, "status": "done"},
    ]
    rows = []
    for i, changes in enumerate(variants):
        case = ApprovalCase.objects.select_related(
            "project", "item", "department", "agent", "district"
        ).get(pk=cases[i % len(cases)].pk)
        case.days_left_text = "剩余 2 个工作日"
        case.light = "yellow"
        case.days_left = 2
        case.materials_complete_on = datetime.date(2026, 4, 1)
        for name, value in changes.items():
            setattr(case, name, value)
        rows.append(case)
    rows[1].project.is_green_channel = True
    rows[2].department.short_name = ""
    rows[3].project.name = '<b>"项目"</b> & 乙'
    return cases + rows


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("show_district", "own_department"), [(False, False), (True, True)])
def test_the_rows_are_drawn_as_the_template_drew_them(
    world, language, show_district, own_department
):
    cases = _cases()
    context = {"page": cases, "show_district": show_district, "own_department": own_department}
    with translation.override(language):
        former = Template(FORMER).render(Context(context))
        drawn = Template(DRAWN).render(Context(context))
    assert former.count("<tr ") == len(cases)
    assert drawn == former
