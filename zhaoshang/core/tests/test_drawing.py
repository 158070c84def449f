"""``core.drawing.display`` is ``get_<field>_display()``: every choice, a value outside the
choices and an empty one, in both languages (the cached choices keep their labels lazy)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.drawing import display
from zhaoshang.monitoring.models import Signal
from zhaoshang.projects.models import Project

FIELDS = [
    (Project, "stage"),
    (Project, "condition"),
    (Project, "level"),
    (Signal, "subject"),
    (Signal, "level"),
    (ApprovalCase, "status"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("model", "name"), FIELDS)
def test_display_is_get_field_display(language, model, name):
    field = model._meta.get_field(name)
    values = [value for value, _label in field.flatchoices] + ["no-such-value", None]
    assert len(values) > 3
    with translation.override(language):
        for value in values:
            instance = model(**{field.attname: value})
            expected = getattr(instance, f"get_{name}_display")()
            assert display(instance, name) == expected, value
            assert type(display(instance, name)) is type(expected)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        datetime.date(2026, 11, 26),
        datetime.date(2026, 1, 5),
        datetime.date(999, 3, 4),
        datetime.datetime(2026, 11, 26, 23, 30, tzinfo=datetime.UTC),  # 11-27 in Beijing
        datetime.datetime(2026, 11, 26, 8, 0),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_ymd_is_the_date_filter_s(value, language):
    from django.template import Context, Template
    from django.utils import translation

    from zhaoshang.core.drawing import ymd

    with translation.override(language):
        expected = Template('{{ value|date:"Y-m-d" }}').render(Context({"value": value}))
        assert ymd(value) == expected
