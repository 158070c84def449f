"""The registry's rows drawn in Python (``projects/templatetags/project_rows.py``, issue
19.2) are the rows the template drew, byte for byte: the former row template (below, as it
was in ``projects/list.html``) and the tag render every kind of row alike, in both
languages, with and without the district column."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from zhaoshang.core.links import pk_url
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

FORMER_ROW = (
    '{% load i18n zs %}{% for p in page %}\n    <tr>\n      {% if show_district %}<td class="'
    'text-nowrap">{{ p.district }}</td>{% endif %}\n      <td class="text-nowrap">{{ p.code }}'
    '</td>\n      <td><a href="{{ p.get_absolute_url }}">{{ p.name }}</a>{% if p.is_green_cha'
    'nnel %} <span class="badge text-bg-success" title="{% translate \'Green channel\' %}"><i c'
    'lass="bi bi-lightning-charge" aria-hidden="true"></i></span>{% endif %} {% condition_badg'
    'e p %}</td>\n      <td>{{ p.enterprise|default:"—" }}</td>\n      <td class="text-nowrap"'
    '>{{ p.park }}</td>\n      <td class="text-nowrap">{{ p.industry|default:"—" }}</td>\n  '
    "    <td>{{ p.get_level_display }}</td>\n      <td>{% stage_badge p %}</td>\n      <td cl"
    'ass="text-end">{{ p.total_investment|wan }}</td>\n      <td class="text-end">{{ p.funds_i'
    'n_place|wan }}</td>\n      <td class="text-nowrap">{{ p.signed_on|date:"Y-m-d"|default:"—'
    '" }}</td>\n    </tr>\n  {% endfor %}'
)
DRAWN_ROW = (
    "{% load project_rows %}{% for p in page %}{% project_row p show_district %}{% endfor %}"
)


def _rows(world) -> list[Project]:
    base = world.project1_a
    rows = list(Project.objects.select_related("district", "enterprise", "park", "industry"))
    assert len(rows) >= 2
    odd = Project(
        pk=2**40,
        district=base.district,
        park=base.park,
        code='ZS-<&">',
        name='<b>"甲"</b> & 乙',
        stage="exited",
        condition="stopped",
        condition_reason='"停" <工>',
        is_green_channel=True,
        total_investment=Decimal("1234567.8900"),
        signed_on=datetime.date(2026, 2, 3),
    )
    odd.funds_in_place = None
    delayed = Project(
        pk=7, district=base.district, park=base.park, code="X", name="延", condition="delayed"
    )
    delayed.funds_in_place = Decimal("0")
    for p in rows:
        p.funds_in_place = Decimal("12.50")
    return [*rows, odd, delayed]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("show_district", [False, True])
def test_the_rows_are_drawn_as_the_template_drew_them(world, language, show_district):
    rows = _rows(world)
    context = {"page": rows, "show_district": show_district}
    request = RequestFactory().get("/")
    with translation.override(language):
        former = Template(FORMER_ROW).render(Context({**context, "request": request}))
        drawn = Template(DRAWN_ROW).render(Context({**context, "request": request}))
    assert former.count("<tr>") == len(rows)
    assert drawn == former


def test_the_record_urls_are_those_reverse_gives():
    from django.urls import reverse

    for pk in (1, 7, 42, 2**40):
        for name in (
            "projects:detail",
            "projects:progress",
            "approvals:project",
            "approvals:case",
            "monitoring:project",
            "meetings:action_item",
            "meetings:detail",
            "notifications:open",
            "agreements:project",
        ):
            assert pk_url(name, pk) == reverse(name, args=[pk])
