"""The lights' rows drawn in Python (``monitoring/templatetags/signal_rows.py``, issue 19.2)
are the rows ``_signals.html`` drew, byte for byte: the former row template (below, as it
was) and the tag render every kind of light alike, in both languages, with and without the
district and project columns."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from zhaoshang.monitoring.models import Signal

pytestmark = pytest.mark.django_db

FORMER_ROW = (
    '\n    <tr data-signal="{{ s.pk }}">\n      {% if show_district %}<td class="text-nowrap">'
    '{{ s.district }}</td>{% endif %}\n      <td>{% include "monitoring/_light.html" with lig'
    'ht=s.light %}</td>\n      <td class="text-nowrap small">{{ s.get_subject_display }}</td>'
    '\n      <td>{% if s.url %}<a href="{{ s.url }}">{{ s.title }}</a>{% else %}{{ s.title }}{'
    '% endif %}{% if s.gap is not None %}<div class="small text-muted">{% blocktranslate with '
    "gap=s.gap %}{{ gap }} points below plan{% endblocktranslate %}</div>{% endif %}</td>\n    "
    "  {% if not hide_project %}<td>{% if s.project_id %}<a href=\"{% url 'monitoring:project'"
    ' s.project_id %}" class="text-reset">{{ s.project.name }}</a>{% if s.project.park_id %}<'
    'div class="small text-muted">{{ s.project.park }}</div>{% endif %}{% else %}—{% endif %}<'
    '/td>{% endif %}\n      <td>{{ s.department.name|default:"—" }}</td>\n      <td class="tex'
    't-nowrap">{{ s.due_on|date:"Y-m-d"|default:"—" }}</td>\n      <td class="text-end">{% if '
    's.days_left is not None %}{{ s.days_left }}{% else %}—{% endif %}</td>\n      <td class="'
    'text-nowrap small">{{ s.since|date:"Y-m-d" }}</td>\n      <td class="small">{% if s.level'
    ' %}{{ s.get_level_display }}<div class="text-muted">{{ s.escalated_on|date:"Y-m-d" }}</di'
    'v>{% if s.unassigned %}<span class="badge text-bg-danger" data-unassigned title="{% trans'
    'late "The step had nobody: sent to the office of the investment leading group." %}">{% tr'
    'anslate "Unassigned · leading group office" %}</span>{% endif %}{% else %}—{% endif %}</t'
    "d>\n    </tr>\n  "
)
FORMER = "{% load i18n %}{% for s in signals %}" + FORMER_ROW + "{% endfor %}"
DRAWN = (
    "{% load signal_rows %}{% for s in signals %}"
    "{% signal_row s show_district hide_project %}{% endfor %}"
)


def _signals(world) -> list[Signal]:
    project = world.project1_a
    common = {"district": project.district, "subject": "approval", "object_id": 1}
    day = datetime.date(2026, 3, 4)
    signals = [
        Signal(pk=1, light="red", title="甲", since=day, **common),
        Signal(
            pk=1234567,
            light="yellow",
            title='<b>"乙"</b> & 丙',
            url='/x/?a=1&b="2"',
            gap=Decimal("12.5"),
            project=project,
            department=world.dept_works_a,
            due_on=day,
            since=day,
            level=2,
            escalated_on=day,
            unassigned=True,
            **common,
        ),
        Signal(
            pk=3,
            light="green",
            title="丁",
            project=project,
            since=day,
            level=1,
            **common,
        ),
        Signal(pk=4, light="", title="戊", gap=Decimal("0.0"), since=day, **common),
    ]
    no_park = type(project)(pk=99, name="无园区", district=project.district)
    signals.append(Signal(pk=5, light="red", title="己", project=no_park, since=day, **common))
    # the working days left, as the board reads them (``SignalQuerySet.with_days_left``)
    for signal in signals:
        signal.days_left = {1234567: -3, 3: 0}.get(signal.pk)
    return signals


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("show_district", "hide_project"), [(False, False), (True, True)])
def test_the_rows_are_drawn_as_the_template_drew_them(world, language, show_district, hide_project):
    signals = _signals(world)
    context = {"signals": signals, "show_district": show_district, "hide_project": hide_project}
    with translation.override(language):
        former = Template(FORMER).render(Context(context))
        drawn = Template(DRAWN).render(Context(context))
    assert former.count("<tr ") == len(signals)
    assert drawn == former


def test_unset_flags_are_false(world):
    signals = _signals(world)
    former = Template(FORMER).render(Context({"signals": signals}))
    assert Template(DRAWN).render(Context({"signals": signals})) == former


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_light_badge_is_the_included_template(language):
    former = Template('{% include "monitoring/_light.html" with light=x %}')
    drawn = Template("{% load signal_rows %}{% light_badge x %}")
    with translation.override(language):
        for light in ("red", "yellow", "green", "", None, "other"):
            context = {"x": light}
            assert drawn.render(Context(context)) == former.render(Context(context)), light
