"""The action items' rows drawn in Python (``meetings/templatetags/item_rows.py``, issue
19.2) are the rows ``_rows.html`` drew, byte for byte: the former row template (below, as it
was, with its four included templates) and the tag render every kind of item alike, in both
languages, with and without the district and department columns."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from zhaoshang.meetings.models import ActionItem, Decision, Meeting

pytestmark = pytest.mark.django_db

FORMER_ROW = (
    '\n    <tr data-item="{{ i.pk }}">\n      {% if show_district %}<td class="text-now'
    'rap">{{ i.district }}</td>{% endif %}\n      <td>{% include "meetings/_light.html'
    "\" %}</td>\n      <td class=\"text-nowrap{% if i.is_open %}{% if i.light == 'red' %"
    "} zs-days-overdue{% elif i.light == 'yellow' %} zs-days-soon{% endif %}{% endif "
    "%}\" data-days-left=\"{% if i.is_open %}{{ i.days_left|default_if_none:'' }}{% end"
    'if %}">{{ i.days_left_text|default:"—" }}</td>\n      <td>{% include "meetings/_d'
    'ue.html" %}</td>\n      <td class="text-nowrap"><a href="{{ i.get_absolute_url }}'
    '">{{ i.number }}</a></td>\n      <td><a href="{{ i.get_absolute_url }}" class="te'
    'xt-reset">{{ i.title }}</a>{% if i.project_id %}<div class="small text-muted">{{'
    " i.project.code }} {{ i.project.name }}</div>{% endif %}</td>\n      {% if not ow"
    'n_department %}<td class="text-nowrap">{{ i.owner_department.short_name|default:'
    'i.owner_department.name }}</td>{% endif %}\n      <td class="text-nowrap">{{ i.ow'
    'ner_person.display_name|default:"—" }}</td>\n      <td class="small">{% include "'
    'meetings/_source.html" %}</td>\n      <td>{% include "meetings/_status.html" %}</'
    "td>\n    </tr>\n  "
)
FORMER = "{% load i18n %}{% for i in page %}" + FORMER_ROW + "{% endfor %}"
DRAWN = (
    "{% load item_rows %}{% for i in page %}"
    "{% item_row i show_district own_department %}{% endfor %}"
)


def _items(world) -> list[ActionItem]:
    day = datetime.date(2026, 5, 6)
    meeting = Meeting(pk=2**35, number="HY-2026-<7>")
    decision = Decision(pk=9, number=3, meeting=meeting)
    common = {
        "district": world.district_a,
        "owner_department": world.dept_works_a,
        "due_on": day,
        "source": "supervision",
    }
    variants = [
        {"status": "not_started", "light": "red", "days_left": -4},
        {"status": "in_progress", "light": "yellow", "days_left": 1, "due_is_provisional": True},
        {"status": "returned", "light": None, "days_left": 9, "project": world.project1_a},
        {"status": "awaiting", "light": None, "days_left": None, "decision": decision},
        {"status": "closed", "light": "red", "days_left": 3, "source": "no-such-source"},
        {"status": "in_progress", "light": "green", "days_left": None, "days_left_text": ""},
    ]
    items = []
    for n, changes in enumerate(variants):
        light = changes.pop("light")
        days_left = changes.pop("days_left")
        text = changes.pop("days_left_text", f"剩余 {n} 个工作日 <&>")
        item = ActionItem(
            pk=n + 1,
            number=f"DB-{n}",
            title=f'<b>"事项"</b> {n}',
            owner_person=world.user_department if n % 2 else None,
            **{**common, **changes},
        )
        item.light, item.days_left, item.days_left_text = light, days_left, text
        items.append(item)
    return items


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("show_district", "own_department"), [(False, False), (True, True)])
def test_the_rows_are_drawn_as_the_template_drew_them(
    world, language, show_district, own_department
):
    items = _items(world)
    context = {"page": items, "show_district": show_district, "own_department": own_department}
    with translation.override(language):
        former = Template(FORMER).render(Context(context))
        drawn = Template(DRAWN).render(Context(context))
    assert former.count("<tr ") == len(items)
    assert drawn == former
