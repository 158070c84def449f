"""The satisfaction rows drawn in Python (``ratings/templatetags/satisfaction_rows.py``,
issue 19.2) are the rows the template drew, byte for byte: the former row (below, as it was
in ``ratings/_satisfaction_table.html``) and the tag render every kind of row alike, in both
languages."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from zhaoshang.ratings.services import Satisfaction

FORMER_ROW = (
    "{% load zs %}{% for row in rows %}"
    '<tr data-department="{{ row.department_id }}">\n    <td class="text-nowrap">{{ row.depart'
    'ment }}</td><td class="text-end">{{ row.rated }}</td><td class="text-end">{{ row.satisfi'
    'ed }}</td><td class="text-end">{{ row.fairly }}</td><td class="text-end">{{ row.dissatis'
    'fied }}</td><td class="text-end">{{ row.rate|percent }}</td>\n  </tr>'
    "{% endfor %}"
)
DRAWN_ROW = (
    "{% load satisfaction_rows %}{% for row in rows %}{% satisfaction_row row %}{% endfor %}"
)

ROWS = [
    Satisfaction(3, "环保局", 12, 7, 3, 2),
    Satisfaction(12345, '<b>"Land" & works</b>', 1234, 1000, 0, 234),
    Satisfaction(None, "", 0, 0, 0, 0),
    Satisfaction(7, "x", 3, 0, 0, 3),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_rows_are_drawn_as_the_template_drew_them(language):
    with translation.override(language):
        former = Template(FORMER_ROW).render(Context({"rows": ROWS}))
        drawn = Template(DRAWN_ROW).render(Context({"rows": ROWS}))
    assert former.count("<tr ") == len(ROWS)
    assert drawn == former
